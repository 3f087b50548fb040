import { useEffect, useRef, useState, type FormEvent } from 'react';
import { problemText } from '../../core/problems/index.ts';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { usePeopleMessages } from './messages.ts';
import type { AssignmentImport as ImportResult, RowError } from '../../core/contracts/imports.ts';
import type { AssignmentImportBody } from '../../core/contracts/people.ts';


type State =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'invalid'; rows: number; errors: RowError[] }
  | { status: 'error'; message: string }
  | { status: 'done'; result: ImportResult };

const EXAMPLE = 'cell_code,person,role,phone,organisation,title\n610302001001001,张三,first_responsible,13800138000,清姜街道办事处,主任\n610302001001001,李四,监督员,13900139000,,';

function ErrorTable({ errors }: { errors: RowError[] }) {
  const t = usePeopleMessages();
  const { lang } = useI18n();
  return (
    <div className="people-import-errors">
      <table className="table" data-testid="import-errors">
        <thead><tr><th>{t('row')}</th><th>{t('field')}</th><th>{t('message')}</th></tr></thead>
        <tbody>
          {errors.map((e, i) => <tr key={i}><td>{e.row}</td><td className="mono">{e.field}</td><td data-code={e.code}>{(e.code && problemText(e.code, e.params, lang)) || e.message}</td></tr>)}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Bulk assignment from a spreadsheet. The first attempt is all or nothing; when rows are invalid the
 * planner reads the per-row report and may import the valid rows only (skipInvalid).
 */
export function ImportAssignments({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const t = usePeopleMessages();
  const dialog = useRef<HTMLDialogElement>(null);
  const [csv, setCsv] = useState('');
  const [state, setState] = useState<State>({ status: 'idle' });

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  async function run(skipInvalid: boolean) {
    setState({ status: 'busy' });
    try {
      const body: AssignmentImportBody = { csv, skipInvalid };
      const result = await api<ImportResult>('/api/assignments/import', { method: 'POST', body });
      setState({ status: 'done', result });
      onImported();
    } catch (err) {
      const errors = err instanceof ApiError && Array.isArray(err.problem.errors) ? (err.problem.errors as RowError[]) : [];
      if (err instanceof ApiError && err.status === 422 && errors.length && errors.every((e) => typeof e.row === 'number')) {
        setState({ status: 'invalid', rows: Number(err.problem.rows) || 0, errors });
      } else {
        setState({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(false);
  }

  async function readFile(file: File | undefined) {
    if (!file) return;
    setCsv(await file.text());
    setState({ status: 'idle' });
  }

  const bad = state.status === 'invalid' ? new Set(state.errors.map((e) => e.row)).size : 0;

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby="people-import-title" onClose={onClose} onCancel={onClose} data-testid="assignments-import">
      <form className="form" onSubmit={submit}>
        <h2 id="people-import-title">{t('importTitle')}</h2>
        <p className="muted">{t('importHelp')}</p>
        <pre className="people-import-example mono">{EXAMPLE}</pre>
        <label>
          {t('importFile')}
          <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} />
        </label>
        <label>
          {t('importText')}
          <textarea name="csv" rows={6} className="mono" value={csv} onChange={(e) => { setCsv(e.target.value); setState({ status: 'idle' }); }} required spellCheck={false} />
        </label>
        {state.status === 'error' && <p className="form-error" role="alert">{state.message}</p>}
        {state.status === 'invalid' && (
          <>
            <p className="form-error" role="alert">{t('importInvalid', { bad, rows: state.rows })}</p>
            <ErrorTable errors={state.errors} />
          </>
        )}
        {state.status === 'done' && (
          <>
            <p className="form-ok" role="status">
              {t('importDone', { rows: state.result.rows, assigned: state.result.assigned, unchanged: state.result.unchanged, created: state.result.peopleCreated, skipped: state.result.skipped })}
            </p>
            {state.result.errors.length > 0 && <ErrorTable errors={state.result.errors} />}
          </>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>{t('close')}</button>
          {state.status === 'invalid' && bad < state.rows && (
            <button type="button" className="button danger" onClick={() => void run(true)} data-testid="import-skip">{t('importSkip', { bad })}</button>
          )}
          <button type="submit" className="button primary" disabled={!csv.trim() || state.status === 'busy'}>
            {state.status === 'busy' ? t('importing') : t('importSubmit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
