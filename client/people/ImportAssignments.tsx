import { useEffect, useRef, useState, type FormEvent } from 'react';
import { problemText } from '../../core/problems/index.ts';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { usePeopleMessages } from './messages.ts';
import { megabytes, PEOPLE_CSV_MAX_BYTES, readTextFile, type BinaryFormat, type FileRefusal, type SpreadsheetFormat } from './textFile.ts';
import type { AssignmentImport as ImportResult, RowError } from '../../core/contracts/imports.ts';
import type { AssignmentImportBody } from '../../core/contracts/people.ts';


type State =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'invalid'; rows: number; errors: RowError[] }
  | { status: 'error'; message: string }
  /** The chosen file was not read into the text box: too large, or not text. */
  | { status: 'file'; name: string; refusal: FileRefusal }
  | { status: 'unreadable'; name: string; message: string }
  | { status: 'done'; result: ImportResult };

const EXAMPLE = 'cell_code,person,role,phone,organisation,title\n610302001001001,张三,first_responsible,13800138000,清姜街道办事处,主任\n610302001001001,李四,监督员,13900139000,,';

const FORMAT_KEYS = {
  xlsx: 'formatXlsx', xls: 'formatXls', ods: 'formatOds', zip: 'formatZip', gzip: 'formatGzip', '7z': 'format7z', rar: 'formatRar',
  png: 'formatPng', jpeg: 'formatJpeg', gif: 'formatGif', webp: 'formatWebp', pdf: 'formatPdf',
} as const satisfies Record<BinaryFormat | SpreadsheetFormat, string>;

/** Why the chosen file was not read, in the interface language. */
function FileRefused({ name, refusal }: { name: string; refusal: FileRefusal }) {
  const t = usePeopleMessages();
  let text: string;
  if (refusal.reason === 'too-large') text = t('fileTooLarge', { name, size: megabytes(refusal.size), limit: megabytes(refusal.limitBytes) });
  else if (refusal.reason === 'spreadsheet') text = t('fileSpreadsheet', { name, format: t(FORMAT_KEYS[refusal.format]) });
  else if (refusal.format) text = t('fileBinary', { name, format: t(FORMAT_KEYS[refusal.format]) });
  else text = t('fileNotText', { name });
  return <p className="form-error" role="alert" data-testid="import-file-error" data-reason={refusal.reason}>{text}</p>;
}

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
  // The file chosen last: a slower read of an earlier choice must not overwrite it.
  const chosen = useRef<File | null>(null);

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

  /**
   * Reads the chosen file into the text box, if it is text: a file too large for the server, a
   * spreadsheet, an archive or an image is refused with a message, and the box is left empty.
   */
  async function readFile(input: HTMLInputElement) {
    const file = input.files?.[0];
    if (!file) return;
    chosen.current = file;
    const refuse = (next: State) => {
      setCsv('');
      setState(next);
      input.value = ''; // the refused file no longer shows as chosen, and choosing it again reads it again
    };
    if (file.size > PEOPLE_CSV_MAX_BYTES) {
      refuse({ status: 'file', name: file.name, refusal: { reason: 'too-large', size: file.size, limitBytes: PEOPLE_CSV_MAX_BYTES } });
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      if (chosen.current === file) refuse({ status: 'unreadable', name: file.name, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (chosen.current !== file) return;
    const read = readTextFile(bytes);
    if (!read.ok) {
      refuse({ status: 'file', name: file.name, refusal: read.refusal });
      return;
    }
    setCsv(read.text);
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
          <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void readFile(e.target)} />
        </label>
        <label>
          {t('importText')}
          <textarea name="csv" rows={6} className="mono" value={csv} onChange={(e) => { setCsv(e.target.value); setState({ status: 'idle' }); }} required spellCheck={false} />
        </label>
        {state.status === 'error' && <p className="form-error" role="alert">{state.message}</p>}
        {state.status === 'file' && <FileRefused name={state.name} refusal={state.refusal} />}
        {state.status === 'unreadable' && <p className="form-error" role="alert" data-testid="import-file-error">{t('fileUnreadable', { name: state.name, message: state.message })}</p>}
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
