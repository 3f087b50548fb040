import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { FeatureCollection, Point } from 'geojson';
import { useI18n } from '../i18n/index.tsx';
import type { ViewProps } from '../views.ts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { useReportsConfig } from '../reports/queries.ts';
import { useOpenPatrol, usePatrolCoverage } from './queries.ts';
import { patrolApi, type CellPlan, type CoverageCell, type Inspection, type ReportCategory, type Visit } from './api.ts';
import { usePatrolLayer } from './layers.ts';
import { usePatrolMessages } from './messages.ts';
import { StatusBadge, errorText, localTime } from './parts.tsx';
import { useTrack } from './track.ts';
import { OutboxPanel, useOutbox } from '../offline/Outbox.tsx';
import { MapReadinessNote } from '../offline/MapReadiness.tsx';
import { newAction, outboxItems, sendOrQueue, updateItem, type OutboxItem } from '../offline/outbox.ts';
import { compressPhoto } from '../offline/photo.ts';
import type { CheckInBody, ChecklistBody, FindingBody, FinishBody } from '../../core/contracts/patrols.ts';
import { keepTiles, tilesOverCells } from '../offline/tiles.ts';

const OVERDUE = { unitStatus: 'overdue' };
const NO_CATEGORIES: ReportCategory[] = [];

/** A check-in still in the outbox, shown as a visit (negative id) so its checklist and findings can be done offline too. */
function queuedVisit(item: OutboxItem, plan: CellPlan | null): Visit | null {
  const unit = plan?.units.find((u) => u.id === item.unitId);
  if (!unit) return null;
  return {
    id: -item.id!, unitId: unit.id, unitName: unit.name, unitType: unit.type, at: item.at, locationSource: 'device', distanceM: 0, far: false,
    checklistItems: unit.checklist, checklist: (item.body.checklist as Visit['checklist'] | undefined) ?? [], result: 'incomplete', findings: [],
  };
}

/**
 * A grid worker's patrol on the phone: pick a cell in scope, start, check in at its units (with the
 * phone's position, or the unit's own when there is none, flagged), tick the checklist, file
 * findings as reports, finish. The track is recorded from watchPosition while the patrol is open.
 */
export function WorkerPatrol({ selectedId, onSelect }: ViewProps) {
  const t = usePatrolMessages();
  const { lang } = useI18n();
  const [cellId, setCellId] = useState<number | null>(null);
  const [activeVisit, setActiveVisit] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setError] = useState<string | null>(null);
  // A far or position-less check-in is a warning (amber): it does not count as a visit.
  const [notice, setNoticeState] = useState<{ text: string; warn: boolean } | null>(null);
  const setNotice = (text: string | null, warn = false) => setNoticeState(text === null ? null : { text, warn });
  const outbox = useOutbox();

  // The cells I may patrol (my scope and below), any patrol I left open, the finding categories.
  const queryClient = useQueryClient();
  const coverage = usePatrolCoverage(OVERDUE);
  const openPatrol = useOpenPatrol();
  const config = useReportsConfig();
  const cells: CoverageCell[] | null = coverage.data?.cells ?? null;
  const patrol = openPatrol.data ?? null;
  const setPatrol = (p: Inspection | null) => queryClient.setQueryData(keys.patrols.open(), p);
  const categories: ReportCategory[] = config.data?.categories ?? NO_CATEGORIES;
  const track = useTrack(patrol?.open ? patrol.id : null, patrol?.startedAt ?? null);

  // Picking a cell on the map picks it here too, when it is one I may patrol.
  useEffect(() => {
    if (selectedId !== null && cells?.some((c) => c.id === selectedId)) setCellId(selectedId);
  }, [selectedId, cells]);

  const planCell = patrol?.cellId ?? null;
  const planQuery = useQuery({
    queryKey: keys.patrols.plan(planCell ?? 0),
    queryFn: ({ signal }) => patrolApi.cellPlan(planCell!, signal),
    enabled: planCell !== null,
  });
  const plan: CellPlan | null = planCell === null ? null : planQuery.data ?? null;
  const loadError = coverage.error ?? openPatrol.error ?? config.error ?? (planCell === null ? null : planQuery.error);
  const error = actionError ?? (loadError ? errorText(loadError) : null);

  const queuedCheckIns = useMemo(() => outbox.filter((i) => i.kind === 'checkin' && patrol && i.inspectionId === patrol.id), [outbox, patrol]);
  // The patrolled cell's map tiles are read once while online, so the map still shows it in a dead zone.
  useEffect(() => {
    if (planCell === null || !navigator.onLine) return;
    tilesOverCells([planCell]).then((urls) => keepTiles(urls)).catch(() => undefined);
  }, [planCell]);

  const visitOf = useMemo(() => new Map([
    ...queuedCheckIns.flatMap((i) => {
      const v = queuedVisit(i, plan);
      return v ? [[v.unitId, v] as const] : [];
    }),
    ...(patrol?.visits ?? []).map((v) => [v.unitId, v] as const),
  ]), [patrol, queuedCheckIns, plan]);
  const finishQueued = outbox.some((i) => i.kind === 'finish' && i.inspectionId === patrol?.id);
  // When queued actions have been sent, the patrol is read again: the server has them now.
  const waiting = outbox.filter((i) => i.state !== 'refused').length;
  const patrolId = patrol?.id;
  useEffect(() => {
    if (patrolId === undefined || waiting > 0 || !navigator.onLine) return;
    void queryClient.invalidateQueries({ queryKey: keys.patrols.open() });
  }, [patrolId, waiting, queryClient]);
  const units = useMemo<FeatureCollection<Point> | null>(() => plan && {
    type: 'FeatureCollection',
    features: plan.units.map((u) => ({
      type: 'Feature', id: u.id, geometry: { type: 'Point', coordinates: [u.lon, u.lat] },
      properties: { name: u.name, status: visitOf.has(u.id) ? 'visited' : u.status },
    })),
  }, [plan, visitOf]);
  usePatrolLayer(null, patrol?.open ? units : null);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const start = () => run(async () => {
    if (cellId === null) return;
    setNotice(null);
    const started = await patrolApi.start(cellId);
    setPatrol(started);
    onSelect(cellId);
    // Read once more through the service worker, so that an offline reopen finds this patrol open.
    void Promise.all([patrolApi.openPatrols(), patrolApi.inspection(started.id)]).catch(() => undefined);
  });

  const checkIn = (unitId: number, unitName: string) => run(async () => {
    if (!patrol) return;
    const fix = await track.currentFix();
    const { key, at } = newAction();
    const body: CheckInBody = { unitId, at, ...(fix ? { location: { type: 'Point', coordinates: [fix.lon, fix.lat] }, accuracy: Math.round(fix.accuracy) } : {}) };
    const visit = await sendOrQueue<Visit>({ kind: 'checkin', key, at, method: 'POST', url: `/api/inspections/${patrol.id}/visits`, body, label: unitName, inspectionId: patrol.id, unitId });
    if (!visit) return setNotice(t('patrol.queued'), true);
    setPatrol(await patrolApi.inspection(patrol.id));
    setActiveVisit(visit.id);
    setNotice(visit.locationSource === 'unit' ? t('patrol.fallback') : visit.far ? t('patrol.far', { m: Math.round(visit.distanceM) }) : t('patrol.near', { m: Math.round(visit.distanceM) }), visit.far || visit.locationSource === 'unit');
  });

  const finish = () => run(async () => {
    if (!patrol) return;
    const { key, at } = newAction();
    const done = await sendOrQueue<Inspection>({
      kind: 'finish', key, at, method: 'POST', url: `/api/inspections/${patrol.id}/finish`, body: { track: track.drain(), at } satisfies FinishBody, label: `${patrol.cellName} · ${patrol.cellCode}`, inspectionId: patrol.id,
    });
    if (!done) {
      setNotice(t('patrol.finishQueued'), true);
      setActiveVisit(null);
      return;
    }
    setNotice(t('patrol.done', { visits: done.visits.length, findings: done.findings.length, km: ((done.trackLengthM ?? 0) / 1000).toFixed(2) }));
    setPatrol(null);
    setActiveVisit(null);
    await queryClient.invalidateQueries({ queryKey: keys.patrols.all });
  });

  const visit = [...visitOf.values()].find((v) => v.id === activeVisit) ?? null;
  const name = (x: { zh: string; en: string }) => (lang === 'zh-CN' ? x.zh : x.en);

  return (
    <section className="panel-section patrol" aria-labelledby="patrol-title" data-testid="patrol-worker">
      <h3 id="patrol-title">{t('patrol.title')}</h3>
      <OutboxPanel />
      <MapReadinessNote />
      {error && <p className="form-error" role="alert">{error}</p>}
      {notice && !visit && <p className={notice.warn ? 'form-warn' : 'form-ok'} role="status" data-testid="patrol-notice">{notice.text}</p>}
      {cells === null && !error && <p className="muted">{t('patrol.loading')}</p>}

      {cells && !patrol && (
        <div className="patrol-start">
          <label className="patrol-field">
            <span>{t('patrol.pickCell')}</span>
            <select className="input" data-testid="patrol-cell" value={cellId ?? ''} onChange={(e) => setCellId(e.target.value ? Number(e.target.value) : null)}>
              <option value="">—</option>
              {cells.map((c) => (
                <option key={c.id} value={c.id}>
                  {'\u2003'.repeat(Math.max(0, c.level - cells[0]!.level))}{c.name} · {c.code}{c.unitsOverdue ? ` (${t('status.overdue')} ${c.unitsOverdue})` : ''}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button primary" data-testid="patrol-start" disabled={busy || cellId === null} onClick={start}>{t('patrol.start')}</button>
        </div>
      )}

      {patrol && !finishQueued && (
        <>
          <p className="patrol-head">
            <strong>{t('patrol.open', { cell: `${patrol.cellName} · ${patrol.cellCode}` })}</strong>
            <span className="muted">{t('patrol.startedAt', { time: localTime(patrol.startedAt, lang) })}</span>
            <span className="muted" data-testid="patrol-tracking">{track.available ? t('patrol.tracking', { n: patrol.trackPoints + track.recorded }) : t('patrol.noGeo')}</span>
          </p>
          <h4 className="patrol-sub">{t('patrol.units', { n: plan?.units.length ?? 0 })}</h4>
          {plan && plan.units.length === 0 && <p className="muted">{t('patrol.noUnits')}</p>}
          <ul className="patrol-units">
            {plan?.units.map((u) => {
              const v = visitOf.get(u.id);
              return (
                <li key={u.id} className={v?.id === activeVisit ? 'active' : undefined} data-testid={`patrol-unit-${u.id}`}>
                  <div className="patrol-unit-main">
                    <span className="patrol-unit-name">{u.name}</span>
                    <span className="muted small">{u.lastAt ? t('status.last', { date: localTime(u.lastAt, lang, true) }) : t('status.never')}</span>
                  </div>
                  {v && v.id < 0 && <span className="badge warn" data-testid={`patrol-queued-${u.id}`}>{t('patrol.checkInQueued')}</span>}
                  {v && v.id > 0 && <span className={`badge ${v.far || v.locationSource === 'unit' ? 'warn' : 'good'}`}>{t('patrol.checkedIn')}</span>}
                  {!v && <StatusBadge status={u.status} />}
                  {v
                    ? <button type="button" className="button small" data-testid={`patrol-work-${u.id}`} onClick={() => setActiveVisit(v.id)}>{t('patrol.work')}</button>
                    : <button type="button" className="button small primary" data-testid={`patrol-checkin-${u.id}`} disabled={busy} onClick={() => checkIn(u.id, u.name)}>{t('patrol.checkIn')}</button>}
                </li>
              );
            })}
          </ul>
          {visit && (
            <VisitWork
              key={visit.id} visit={visit} patrolId={patrol.id} categories={categories} busy={busy} run={run} name={name}
              onChanged={async (note, warn) => {
                if (!warn) setPatrol(await patrolApi.inspection(patrol.id));
                setNotice(note, warn);
              }}
            />
          )}
          {/* While a unit is being inspected, what just happened shows next to it, not out of sight at the top. */}
          {notice && visit && <p className={`${notice.warn ? 'form-warn' : 'form-ok'} patrol-notice`} role="status" data-testid="patrol-notice">{notice.text}</p>}
          <div className="form-actions">
            <button type="button" className="button danger" data-testid="patrol-finish" disabled={busy} onClick={finish}>{t('patrol.finish')}</button>
          </div>
        </>
      )}
    </section>
  );
}

async function queuedBody(id: number): Promise<Record<string, unknown>> {
  return (await outboxItems()).find((i) => i.id === id)?.body ?? {};
}

interface VisitWorkProps {
  visit: Visit;
  patrolId: number;
  categories: ReportCategory[];
  busy: boolean;
  run: (action: () => Promise<void>) => Promise<void>;
  name: (x: { zh: string; en: string }) => string;
  onChanged: (notice: string, queued?: boolean) => Promise<void>;
}

/** The checklist of one visit and the finding form. */
function VisitWork({ visit, patrolId, categories, busy, run, name, onChanged }: VisitWorkProps) {
  const t = usePatrolMessages();
  const [ticked, setTicked] = useState(() => new Set(visit.checklist.filter((c) => c.ok).map((c) => c.code)));
  const [category, setCategory] = useState(() => categories[0]?.code ?? 'fire');
  const [severity, setSeverity] = useState<'ordinary' | 'major'>('ordinary');
  const [description, setDescription] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);

  const toggle = (code: string) => setTicked((s) => {
    const next = new Set(s);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    return next;
  });

  const save = () => run(async () => {
    const checklist = visit.checklistItems.map((i) => ({ code: i.code, ok: ticked.has(i.code) }));
    if (visit.id < 0) {
      // The check-in has not been sent yet: the checklist goes with it.
      await updateItem(-visit.id, { body: { ...(await queuedBody(-visit.id)), checklist } });
      return onChanged(t('patrol.checklistQueued'), true);
    }
    const { key, at } = newAction();
    const saved = await sendOrQueue<Visit>({ kind: 'checklist', key, at, method: 'PUT', url: `/api/inspections/${patrolId}/visits/${visit.id}/checklist`, body: { checklist } satisfies ChecklistBody, label: visit.unitName });
    if (!saved) return onChanged(t('patrol.checklistQueued'), true);
    await onChanged(t('patrol.saved', { result: t(`result.${saved.result}`) }));
  });

  const file = (e: FormEvent) => {
    e.preventDefault();
    if (visit.unitId === null) return;
    const unitId = visit.unitId;
    void run(async () => {
      const { key, at } = newAction();
      const photos = photo ? [await compressPhoto(photo)] : [];
      const filed = await sendOrQueue<{ trackingCode: string }>({
        kind: 'finding', key, at, method: 'POST', url: `/api/inspections/${patrolId}/findings`, formField: 'finding', photos,
        body: { unitId, category, severity, description, at } satisfies FindingBody, label: `${visit.unitName}：${description}`,
      });
      setDescription('');
      setPhoto(null);
      if (!filed) return onChanged(t('patrol.findingQueued'), true);
      await onChanged(t('patrol.filed', { code: filed.trackingCode }));
    });
  };

  return (
    <div className="patrol-visit" data-testid="patrol-visit">
      <h4 className="patrol-sub">{t('patrol.checklist', { unit: visit.unitName })}</h4>
      <p className="muted small">{t('patrol.checklistHint')}</p>
      <ul className="patrol-checklist">
        {visit.checklistItems.map((i) => (
          <li key={i.code}>
            <label>
              <input type="checkbox" checked={ticked.has(i.code)} onChange={() => toggle(i.code)} data-testid={`check-${i.code}`} />
              <span>{name(i)}</span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className="button small" data-testid="patrol-checklist-save" disabled={busy} onClick={save}>{t('patrol.saveChecklist')}</button>

      <form className="form patrol-finding" onSubmit={file}>
        <h4 className="patrol-sub">{t('patrol.finding')}</h4>
        <div className="patrol-row">
          <label>
            {t('patrol.category')}
            <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="finding-category">
              {categories.map((c) => <option key={c.code} value={c.code}>{name(c)}</option>)}
            </select>
          </label>
          <label>
            {t('patrol.severity')}
            <select value={severity} onChange={(e) => setSeverity(e.target.value as 'ordinary' | 'major')}>
              <option value="ordinary">{t('patrol.ordinary')}</option>
              <option value="major">{t('patrol.major')}</option>
            </select>
          </label>
        </div>
        <label>
          {t('patrol.description')}
          <textarea required rows={2} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="finding-description" />
        </label>
        <label>
          {t('patrol.photo')}
          <input type="file" accept="image/jpeg,image/png,image/webp" capture="environment" data-testid="finding-photo"
            onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />
        </label>
        <div className="form-actions">
          <button type="submit" className="button primary small" data-testid="patrol-finding-submit" disabled={busy || !description.trim()}>{t('patrol.fileFinding')}</button>
        </div>
      </form>
    </div>
  );
}
