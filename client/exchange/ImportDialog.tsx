import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { FeatureCollection } from 'geojson';
import { ApiError, api } from '../api.ts';
import { useMap } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { useExchangeMessages } from './messages.ts';
import { useI18n } from '../i18n/index.tsx';
import { problemText, type Lang, type ProblemParam } from '../../core/problems/index.ts';
import type { CellImportCommitted, CellImportPreview, ImportProblem } from '../../core/contracts/imports.ts';

type Mapping = CellImportPreview['mapping'];

/** A problem in the user's language from its catalog code, else as the server wrote it. */
const said = (p: ImportProblem, lang: Lang) => (p.code && problemText(p.code, p.params, lang)) || p.message;

/** The coordinate systems offered; the server converts these (server/exchange/import/crs.ts). */
export const EPSG_CHOICES: { code: number; label: string }[] = [
  { code: 4326, label: 'EPSG:4326 WGS 84' },
  { code: 4490, label: 'EPSG:4490 CGCS2000' },
  ...Array.from({ length: 21 }, (_, i) => ({ code: 4513 + i, label: `EPSG:${4513 + i} CGCS2000 3° GK zone ${25 + i} (${(25 + i) * 3}°E)` })),
  ...Array.from({ length: 21 }, (_, i) => ({ code: 4534 + i, label: `EPSG:${4534 + i} CGCS2000 3° GK CM ${75 + i * 3}°E` })),
  { code: 3857, label: 'EPSG:3857 Web Mercator' },
  ...Array.from({ length: 7 }, (_, i) => ({ code: 32643 + i, label: `EPSG:${32643 + i} WGS 84 / UTM ${43 + i}N` })),
];

const MAX_ROWS = 300;
const SOURCE = 'import-preview';
/** The uploaded features: red where a feature has errors. */
const PREVIEW_OVERLAY: Overlay = {
  sources: { [SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: 'import-preview-fill', type: 'fill', source: SOURCE, paint: { 'fill-color': ['case', ['>', ['get', 'errors'], 0], '#dc2626', '#2563eb'], 'fill-opacity': 0.25 } },
    { id: 'import-preview-line', type: 'line', source: SOURCE, paint: { 'line-color': ['case', ['>', ['get', 'errors'], 0], '#b91c1c', '#1d4ed8'], 'line-width': 2 } },
  ],
};

/** The uploaded features on the map while the dialog is open, brought into view. */
function usePreviewLayer(data: FeatureCollection | null) {
  const map = useMap();
  useOverlay(map, data ? PREVIEW_OVERLAY : null);
  useSourceData(map, SOURCE, data);
  useEffect(() => {
    if (!map || !data) return;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const visit = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        const [x, y] = c as number[];
        if (Math.abs(x!) <= 180 && Math.abs(y!) <= 90) {
          minX = Math.min(minX, x!); minY = Math.min(minY, y!); maxX = Math.max(maxX, x!); maxY = Math.max(maxY, y!);
        }
      } else if (Array.isArray(c)) c.forEach(visit);
    };
    for (const f of data.features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
    if (minX <= maxX) map.fitBounds([minX, minY, maxX, maxY], { padding: 40, maxZoom: 16, duration: 0 });
  }, [map, data]);
}

const errorText = (e: unknown) => (e instanceof ApiError ? (e.detail || e.title) : e instanceof Error ? e.message : String(e));

/**
 * Importing boundaries: upload a file, read the per-feature report (invalid geometry and why,
 * outside the parent, overlaps, missing names), set which field is the name, code, parent code and
 * level, then commit — all cells in one transaction, or none.
 */
export function ImportDialog({ parentId, onClose, onImported }: { parentId: number | null; onClose: () => void; onImported?: (cellIds: number[]) => void }) {
  const t = useExchangeMessages();
  const { lang } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [epsg, setEpsg] = useState<number | null>(null);
  const [preview, setPreview] = useState<CellImportPreview | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [underSelected, setUnderSelected] = useState(false);
  const [exclude, setExclude] = useState<number[]>([]);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [busy, setBusy] = useState<'upload' | 'check' | 'commit' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  usePreviewLayer(preview?.preview ?? null);

  const options = () => ({ mapping, epsg, parentId: underSelected ? parentId : null, exclude });

  async function upload(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setDone(null);
    setBusy('upload');
    try {
      const form = new FormData();
      if (epsg !== null) form.append('epsg', String(epsg));
      form.append('file', file, file.name);
      const p = await api<CellImportPreview>('/api/import/cells', { method: 'POST', body: form });
      setPreview(p);
      setMapping(p.mapping);
      setExclude([]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  async function recheck(next = options()) {
    if (!preview) return;
    setError(null);
    setBusy('check');
    try {
      setPreview(await api<CellImportPreview>(`/api/import/cells/${preview.id}/preview`, { method: 'POST', body: next }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  async function commit() {
    if (!preview) return;
    setError(null);
    setBusy('commit');
    try {
      const result = await api<CellImportCommitted>(`/api/import/cells/${preview.id}/commit`, { method: 'POST', body: options() });
      setDone(result.created);
      onImported?.(result.cells.map((c) => c.id));
    } catch (err) {
      // A 422 carries the fresh report: show it, so the planner sees what changed.
      if (err instanceof ApiError && err.problem.report) setPreview(err.problem.report as CellImportPreview);
      setError(`${errorText(err)} ${t('nothingWritten')}`);
    } finally {
      setBusy(null);
    }
  }

  function excludeBad() {
    const bad = preview!.features.filter((f) => f.problems.some((p) => p.severity === 'error')).map((f) => f.index);
    const next = [...new Set([...exclude, ...bad])];
    setExclude(next);
    void recheck({ ...options(), exclude: next });
  }

  const rows = useMemo(() => (preview?.features ?? []).filter((f) => !onlyProblems || f.problems.length > 0), [preview, onlyProblems]);
  const included = preview ? preview.summary.features - preview.summary.excluded : 0;
  const mappingKeys: [keyof Mapping, 'mapName' | 'mapCode' | 'mapParentCode' | 'mapLevel'][] = [['name', 'mapName'], ['code', 'mapCode'], ['parentCode', 'mapParentCode'], ['level', 'mapLevel']];

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby="import-title" onClose={onClose} onCancel={onClose} data-testid="import-dialog">
      <div className="form">
        <h2 id="import-title">{t('importTitle')}</h2>
        {!preview && (
          <form className="form" onSubmit={upload}>
            <p className="muted">{t('importHelp')}</p>
            <label>
              {t('file')}
              <input type="file" accept=".geojson,.json,.zip,.kml,.kmz,.gpkg" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
            </label>
            <CrsSelect value={epsg} onChange={setEpsg} />
            {error && <p className="form-error" role="alert">{error}</p>}
            <div className="form-actions">
              <button type="button" className="button" onClick={onClose}>{t('close')}</button>
              <button type="submit" className="button primary" disabled={!file || busy !== null}>{busy === 'upload' ? t('uploading') : t('upload')}</button>
            </div>
          </form>
        )}
        {preview && mapping && (
          <>
            <p className="muted">
              {preview.fileName} · {t('detected', { format: preview.format, crs: preview.crs ?? 'WGS 84' })}
              {preview.encoding ? ` · ${t('encoding', { encoding: preview.encoding })}` : ''}
            </p>
            {preview.notices.length > 0 && (
              <ul className="muted">{preview.notices.map((n) => <li key={n.message}>{(n.code && problemText(n.code, n.params as Record<string, ProblemParam>, lang)) || n.message}</li>)}</ul>
            )}
            <fieldset className="form" disabled={busy !== null || done !== null}>
              <legend>{t('mapping')}</legend>
              {mappingKeys.map(([key, label]) => (
                <label key={key}>
                  {t(label)}
                  <select value={mapping[key] ?? ''} onChange={(e) => setMapping({ ...mapping, [key]: e.target.value === '' ? null : e.target.value })}>
                    <option value="">{t('none')}</option>
                    {preview.fields.map((f) => <option key={f.name} value={f.name}>{f.name}{f.sample ? ` — ${f.sample}` : ''}</option>)}
                  </select>
                </label>
              ))}
              {parentId !== null && (
                <label style={{ flexDirection: 'row', alignItems: 'center' }}>
                  <input type="checkbox" checked={underSelected} onChange={(e) => setUnderSelected(e.target.checked)} /> {t('parentForAll')}
                </label>
              )}
              <CrsSelect value={epsg} onChange={setEpsg} />
              <div className="form-actions">
                <button type="button" className="button small" onClick={() => void recheck()}>{busy === 'check' ? t('checking') : t('recheck')}</button>
              </div>
            </fieldset>
            <p className={preview.summary.ready ? 'form-ok' : 'form-error'} role="status">
              {t('summary', { features: included, bad: preview.summary.withErrors, warnings: preview.summary.warnings })} — {preview.summary.ready ? t('ready') : t('notReady')}
            </p>
            {preview.fileProblems.map((p) => <p key={p.message} className="form-error">{said(p, lang)}</p>)}
            {error && <p className="form-error" role="alert">{error}</p>}
            {done !== null && <p className="form-ok" role="status">{t('done', { n: done })}</p>}
            <label style={{ flexDirection: 'row', alignItems: 'center' }}>
              <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> {t('onlyProblems')}
            </label>
            <div style={{ maxHeight: '40vh', overflow: 'auto' }}>
              <table className="table" data-testid="import-report">
                <thead>
                  <tr><th>{t('colNo')}</th><th>{t('colName')}</th><th>{t('colCode')}</th><th>{t('colLevel')}</th><th>{t('colArea')}</th><th>{t('colProblems')}</th></tr>
                </thead>
                <tbody>
                  {rows.slice(0, MAX_ROWS).map((f) => (
                    <tr key={f.index} className={f.excluded ? 'inactive' : undefined}>
                      <td>{f.index + 1}</td>
                      <td style={{ minWidth: '6em' }}>{f.name ?? '—'}</td>
                      <td>{f.code ?? '—'}</td>
                      <td>{f.level ?? '—'}</td>
                      <td>{f.areaM2 !== null ? t('area', { n: (f.areaM2 / 1e4).toFixed(2) }) : '—'}</td>
                      <td>
                        {f.problems.length === 0 && <span className="badge good">{t('ok')}</span>}
                        {f.problems.map((p, i) => <div key={i}><span className={`badge ${p.severity === 'error' ? 'bad' : 'warn'}`}>{t(`kind_${p.kind}`)}</span> {said(p, lang)}</div>)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {rows.length > MAX_ROWS && <p className="muted">{t('more', { n: rows.length - MAX_ROWS })}</p>}
            </div>
            <div className="form-actions">
              <button type="button" className="button" onClick={() => { setPreview(null); setDone(null); setError(null); }}>{t('back')}</button>
              {preview.summary.withErrors > 0 && done === null && <button type="button" className="button" onClick={excludeBad} disabled={busy !== null}>{t('excludeBad')}</button>}
              {done === null
                ? <button type="button" className="button primary" onClick={() => void commit()} disabled={!preview.summary.ready || busy !== null}>{busy === 'commit' ? t('committing') : t('commit', { n: included })}</button>
                : <button type="button" className="button primary" onClick={onClose}>{t('close')}</button>}
            </div>
          </>
        )}
      </div>
    </dialog>
  );
}

function CrsSelect({ value, onChange }: { value: number | null; onChange: (epsg: number | null) => void }) {
  const t = useExchangeMessages();
  return (
    <label>
      {t('crs')}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}>
        <option value="">{t('crsAuto')}</option>
        {EPSG_CHOICES.map((c) => <option key={c.code} value={c.code}>{c.label}</option>)}
      </select>
    </label>
  );
}
