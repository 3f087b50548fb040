import { useMemo, useState, type FormEvent } from 'react';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { lineageQuery, useCell } from '../data/cells.ts';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { reportsApi, type Action, type ActionInput, type Report, type ReportsConfig, type Severity } from './api.ts';
import { fromLocalInput, sizeText } from './format.ts';
import { useReportMessages } from './messages.ts';
import { newAction, sendOrQueue } from '../offline/outbox.ts';
import { compressPhoto } from '../offline/photo.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const NEEDS_REASON: Action[] = ['reject', 'return', 'reopen'];
const HAS_REPLY: Action[] = ['verify', 'reject', 'close', 'return', 'reopen', 'rectify', 'dispatch'];
const HAS_DUE: Action[] = ['dispatch', 'return', 'reopen'];

interface Person {
  id: number;
  name: string;
  role: string;
}

/** People responsible for the report's cell and the cells above it: whom a report may be dispatched to. */
function usePeople(cellId: number | null, enabled: boolean) {
  const { lang } = useI18n();
  const queryClient = useQueryClient();
  const lineage = useQuery({ ...lineageQuery(queryClient, cellId ?? 0), enabled: enabled && cellId !== null });
  const cells = useMemo(() => (cellId === null ? [] : [...(lineage.data ?? [])].reverse()), [cellId, lineage.data]);
  const lists = useQueries({
    queries: cells.map((c) => ({
      queryKey: keys.cells.assignments(c.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => reportsApi.assignments(c.id, signal),
      enabled,
    })),
  });
  const failed = lineage.error ?? lists.find((l) => l.error)?.error ?? null;
  const ready = enabled && (cellId === null || lineage.data !== undefined) && lists.every((l) => l.data !== undefined);
  const assignments = ready ? lists.map((l) => l.data!) : null;
  let people: Person[] | null = null;
  if (assignments) {
    const seen = new Map<number, Person>();
    assignments.forEach((list, i) => {
      for (const a of list) {
        if (!seen.has(a.personId)) seen.set(a.personId, { id: a.personId, name: a.name, role: `${lang === 'en' ? a.roleName.en : a.roleName.zh} · ${cells[i]!.properties.name}` });
      }
    });
    people = [...seen.values()];
  }
  return { people: failed ? null : people, error: failed ? message(failed) : null };
}

/**
 * One workflow step on a report: what the step needs (reason, evidence, people, deadline, the
 * receiving cell) and the reply to the reporter, then POST /api/reports/:id/actions with the version
 * acted on, so a step someone else took first is refused rather than applied twice.
 */
export function ActionForm({ report, action, cfg, targetCellId, onDone, onCancel }: {
  report: Report; action: Action; cfg: ReportsConfig; targetCellId: number | null;
  onDone: (r: Report) => void; onCancel: () => void;
}) {
  const t = useReportMessages();
  const { lang } = useI18n();
  const [note, setNote] = useState('');
  const [reply, setReply] = useState('');
  const [severity, setSeverity] = useState<Severity>(report.severity);
  const [assignees, setAssignees] = useState<number[]>([]);
  const [department, setDepartment] = useState('');
  const [due, setDue] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const { people, error: peopleError } = usePeople(report.cellId, action === 'dispatch');

  // A transfer goes to the cell selected on the map (not the report's own).
  const transferTo = action === 'transfer' && targetCellId !== null && targetCellId !== report.cellId ? targetCellId : null;
  const targetCell = useCell(transferTo);
  const target = transferTo !== null && targetCell.data ? { id: targetCell.data.id, name: targetCell.data.properties.name } : null;
  const shownError = error ?? (transferTo !== null && targetCell.error ? message(targetCell.error) : null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const input: ActionInput = { action, version: report.version };
      if (note.trim()) input.note = note.trim();
      if (reply.trim()) input.reply = reply.trim();
      if (action === 'verify' && severity !== report.severity) input.severity = severity;
      if (action === 'dispatch') {
        if (assignees.length) input.assignees = assignees;
        if (department.trim()) input.department = department.trim();
      }
      if (HAS_DUE.includes(action)) {
        const iso = fromLocalInput(due);
        if (iso) input.dueAt = iso;
      }
      if (action === 'transfer' && target) input.cellId = target.id;
      if (action === 'rectify') {
        // Done on site, perhaps without signal: the step and its photos go as one request, kept in the outbox when offline.
        const { key, at } = newAction();
        const photos = await Promise.all(files.map(compressPhoto));
        const done = await sendOrQueue<Report>({
          kind: 'action', key, at, method: 'POST', url: `/api/reports/${report.id}/actions`, formField: 'action', photos,
          body: { ...input, at }, label: `${report.trackingCode} ${report.description.slice(0, 30)}`,
        });
        if (done) onDone(done);
        else setQueued(true);
        return;
      }
      onDone(await reportsApi.act(report.id, input));
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  const label = t(`action.${action}`);
  const noteLabel = NEEDS_REASON.includes(action) ? t('act.reason') : action === 'rectify' ? t('act.evidence') : t('act.note');
  if (queued) return <p className="form-warn" role="status" data-testid="act-queued">{t('act.queued')}</p>;
  return (
    <div className="report-act" data-testid={`act-form-${action}`}>
      <form className="form" onSubmit={submit}>
        {action === 'verify' && (
          <label>
            {t('act.severity')}
            <select name="severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
              {cfg.severities.map((s) => <option key={s.code} value={s.code}>{lang === 'en' ? s.en : s.zh}</option>)}
            </select>
          </label>
        )}
        {action === 'dispatch' && (
          <>
            <fieldset className="report-where">
              <legend>{t('act.assignees')}</legend>
              {peopleError && <p className="form-error" role="alert">{peopleError}</p>}
              {people?.length === 0 && <p className="muted">{t('act.noPeople')}</p>}
              <div className="report-people">
                {people?.map((p) => (
                  <label key={p.id}>
                    <input
                      type="checkbox" checked={assignees.includes(p.id)}
                      onChange={(e) => setAssignees(e.target.checked ? [...assignees, p.id] : assignees.filter((x) => x !== p.id))}
                    />
                    {p.name} <span className="muted">{p.role}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <label>
              {t('act.department')}
              <input name="department" maxLength={200} value={department} onChange={(e) => setDepartment(e.target.value)} />
            </label>
          </>
        )}
        {action === 'transfer' && (
          <p className={target ? 'report-point' : 'muted'} data-testid="act-transfer-target">
            {target ? t('act.transferTarget', { cell: target.name }) : t('act.transferPick')}
          </p>
        )}
        {HAS_DUE.includes(action) && (
          <label>
            {t('act.dueAt')}
            <input type="datetime-local" name="dueAt" value={due} onChange={(e) => setDue(e.target.value)} />
          </label>
        )}
        <label>
          {noteLabel}
          <textarea name="note" rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} required={NEEDS_REASON.includes(action)} />
        </label>
        {action === 'rectify' && (
          <label>
            {t('act.evidencePhotos')} ({sizeText(cfg.photos.maxBytes)})
            <input type="file" name="evidence" accept={cfg.photos.types.join(',')} multiple onChange={(e) => setFiles(e.target.files ? [...e.target.files] : [])} />
          </label>
        )}
        {HAS_REPLY.includes(action) && (
          <label>
            {t('act.reply')}
            <textarea name="reply" rows={2} maxLength={2000} value={reply} onChange={(e) => setReply(e.target.value)} />
          </label>
        )}
        {shownError && <p className="form-error" role="alert">{shownError}</p>}
        <div className="form-actions">
          <button type="button" className="button small" onClick={onCancel}>{t('act.cancel')}</button>
          <button type="submit" className={`button small ${action === 'reject' ? 'danger' : 'primary'}`} disabled={busy} data-testid="act-confirm">
            {t('act.confirm', { action: label })}
          </button>
        </div>
      </form>
    </div>
  );
}
