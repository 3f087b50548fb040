import { useEffect, useRef, useState, type FormEvent } from 'react';
import { problemText } from '../../core/problems/index.ts';
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { unitsApi, type ImportResult, type RowError, type UnitType } from './api.ts';
import { useUnitMessages } from './messages.ts';
import { xlsxToCsv } from './xlsx.ts';

type State =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'preview'; result: ImportResult }
  | { status: 'error'; message: string; errors?: RowError[] }
  | { status: 'done'; result: ImportResult };

const EXAMPLE = '类型,名称,地址,联系人,经度,纬度\n九小场所,老王面馆,经二路12号,王师傅 13800138000,107.1402,34.3615\n企事业单位,宏达机械厂,,,107.1455,34.3590';

/** A row's reason in the current language: the text of its code, else the server's words. */
const rowErrorsOf = (err: unknown): RowError[] | undefined => {
  const errors = err instanceof ApiError ? err.problem.errors : undefined;
  return Array.isArray(errors) && errors.every((e) => typeof (e as Partial<RowError>).row === 'number') ? (errors as RowError[]) : undefined;
};

function ErrorTable({ errors }: { errors: RowError[] }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  return (
    <div className="unit-import-table">
      <table className="table" data-testid="import-errors">
        <thead><tr><th>{t('row')}</th><th>{t('field')}</th><th>{t('message')}</th></tr></thead>
        <tbody>{errors.map((e, i) => <tr key={i}><td>{e.row}</td><td className="mono">{e.field}</td><td data-code={e.code}>{(e.code && problemText(e.code, e.params, lang)) || e.message}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

/**
 * Import units from a CSV or Excel file: the server checks every row and says which cell each valid
 * one will be filed in (a dry run) before anything is written; then the valid rows are imported.
 */
export function ImportUnits({ types, onClose, onImported }: { types: UnitType[]; onClose: () => void; onImported: () => void }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [csv, setCsv] = useState('');
  const [state, setState] = useState<State>({ status: 'idle' });
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const typeName = (code: string) => {
    const x = types.find((y) => y.code === code);
    return x ? (lang === 'zh-CN' ? x.zh : x.en) : code;
  };

  async function readFile(file: File | undefined) {
    if (!file) return;
    try {
      setCsv(/\.xlsx$/i.test(file.name) ? await xlsxToCsv(await file.arrayBuffer()) : await file.text());
      setState({ status: 'idle' });
    } catch (e) {
      setState({ status: 'error', message: t('badFile', { message: e instanceof Error ? e.message : String(e) }) });
    }
  }

  async function preview(e: FormEvent) {
    e.preventDefault();
    setState({ status: 'busy' });
    try {
      setState({ status: 'preview', result: await unitsApi.importCsv(csv, { dryRun: true }) });
    } catch (err) {
      setState({ status: 'error', message: err instanceof Error ? err.message : String(err), errors: rowErrorsOf(err) });
    }
  }

  async function run(skipInvalid: boolean) {
    setState({ status: 'busy' });
    try {
      setState({ status: 'done', result: await unitsApi.importCsv(csv, { skipInvalid }) });
      onImported();
    } catch (err) {
      setState({ status: 'error', message: err instanceof Error ? err.message : String(err), errors: rowErrorsOf(err) });
    }
  }

  const result = state.status === 'preview' ? state.result : null;
  const bad = result ? result.skipped : 0;
  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby="units-import-title" onClose={onClose} onCancel={onClose} data-testid="units-import">
      <form className="form" onSubmit={(e) => void preview(e)}>
        <h2 id="units-import-title">{t('importTitle')}</h2>
        <p className="muted small">{t('importHelp')}</p>
        <pre className="unit-import-example mono">{EXAMPLE}</pre>
        <label>{t('importFile')}<input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => void readFile(e.target.files?.[0])} data-testid="import-file" /></label>
        <label>
          {t('importText')}
          <textarea name="csv" rows={5} className="mono" value={csv} onChange={(e) => { setCsv(e.target.value); setState({ status: 'idle' }); }} required spellCheck={false} />
        </label>
        {state.status === 'error' && <p className="form-error" role="alert">{state.message}</p>}
        {state.status === 'error' && state.errors?.length ? <ErrorTable errors={state.errors} /> : null}
        {result && (
          <div data-testid="import-preview">
            <p className={bad ? 'form-error' : 'form-ok'} role="status">{t('previewSummary', { rows: result.rows, ok: result.preview?.length ?? 0, bad })}</p>
            {(result.preview?.length ?? 0) > 0 && (
              <div className="unit-import-table">
                <table className="table" data-testid="import-preview-rows">
                  <thead><tr><th>{t('row')}</th><th>{t('name')}</th><th>{t('type')}</th><th>{t('cell')}</th></tr></thead>
                  <tbody>{result.preview!.map((r) => <tr key={r.row}><td>{r.row}</td><td>{r.name}</td><td>{typeName(r.type)}</td><td className="mono">{r.cellCode}</td></tr>)}</tbody>
                </table>
              </div>
            )}
            {result.errors.length > 0 && <ErrorTable errors={result.errors} />}
          </div>
        )}
        {state.status === 'done' && <p className="form-ok" role="status" data-testid="import-done">{t('importDone', { n: state.result.imported, skipped: state.result.skipped })}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>{t('close')}</button>
          {result && (result.preview?.length ?? 0) > 0 ? (
            <button type="button" className="button primary" onClick={() => void run(bad > 0)} data-testid="import-run">{t('importRows', { n: result.preview!.length })}</button>
          ) : state.status !== 'done' && (
            <button type="submit" className="button primary" disabled={!csv.trim() || state.status === 'busy'} data-testid="import-preview-button">
              {state.status === 'busy' ? t('previewing') : t('preview')}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
