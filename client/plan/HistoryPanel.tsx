import { localTime as zonedTime } from '../i18n/time.ts';
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { api, type Cell } from '../api.ts';
import { keys } from '../data/keys.ts';
import { useMap } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { useI18n } from '../i18n/index.tsx';
import { usePlanMessages } from './messages.ts';
import { formatArea } from './geometry.ts';
import type { CellVersion, RestoreBody } from '../../core/contracts/cells.ts';

const SOURCE = 'plan-preview';
/** The preview outline: dashed, over the cells. */
const PREVIEW_OVERLAY: Overlay = {
  sources: { [SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: 'plan-preview-fill', type: 'fill', source: SOURCE, paint: { 'fill-color': '#0891b2', 'fill-opacity': 0.15 } },
    { id: 'plan-preview-line', type: 'line', source: SOURCE, paint: { 'line-color': '#0e7490', 'line-width': 2.5, 'line-dasharray': [2, 1.5] } },
  ],
};

const previewData = (geometry: MultiPolygon | null): FeatureCollection => ({
  type: 'FeatureCollection',
  features: geometry ? [{ type: 'Feature', geometry, properties: {} }] : [],
});

interface Props {
  cell: Cell;
  /** Bumped after an edit (the list is read again by invalidating keys.cells.one): no version stays previewed. */
  reload: number;
  onRestored: (cell: Cell, version: number) => void;
}

/** The versions of the selected cell (who, when, what), a preview of each outline on the map, and restore. */
export function HistoryPanel({ cell, reload, onRestored }: Props) {
  const t = usePlanMessages();
  const { lang } = useI18n();
  const map = useMap();
  const history = useQuery({
    queryKey: keys.cells.history(cell.id),
    queryFn: ({ signal }) => api<CellVersion[]>(`/api/cells/${cell.id}/history`, { signal }),
  });
  const versions = history.data ?? null;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? (history.error ? history.error.message : null);
  const [preview, setPreview] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  // Another cell, or the list read again after an edit: no version is previewed.
  const [shownFor, setShownFor] = useState({ id: cell.id, reload });
  if (shownFor.id !== cell.id || shownFor.reload !== reload) {
    setShownFor({ id: cell.id, reload });
    setPreview(null);
  }

  useOverlay(map, PREVIEW_OVERLAY);
  const geometry = versions?.find((v) => v.version === preview && v.operation !== 'delete')?.geometry ?? null;
  useSourceData(map, SOURCE, useMemo(() => previewData(geometry), [geometry]));

  const restore = async (version: number) => {
    setBusy(true);
    setError(null);
    try {
      const body: RestoreBody = { version };
      const restored = await api<Cell>(`/api/cells/${cell.id}/restore`, { method: 'POST', body });
      onRestored(restored, version);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const op = (v: CellVersion) => (v.operation === 'insert' ? t('opInsert') : v.operation === 'delete' ? t('opDelete') : t('opUpdate'));
  const changedLabel: Record<string, string> = { geometry: t('changedGeometry'), name: t('changedName'), parent: t('changedParent'), code: t('changedCode') };
  const when = (iso: string) => zonedTime(iso, 'datetime', lang);

  return (
    <div className="plan-history" data-testid="plan-history-panel">
      <h4 className="plan-subtitle">{t('historyTitle', { name: cell.properties.name })}</h4>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!versions && !error && <p className="plan-hint">{t('loading')}</p>}
      {versions && versions.length === 0 && <p className="plan-hint">{t('historyEmpty')}</p>}
      {versions && versions.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>{t('version')}</th>
              <th>{t('what')}</th>
              <th>{t('who')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((v) => {
              const current = v.version === cell.properties.version && v.operation !== 'delete';
              return (
                <tr key={`${v.version}-${v.operation}`} data-version={v.version} aria-current={current || undefined}>
                  <td>v{v.version}</td>
                  <td>
                    {op(v)}
                    {v.changed.length > 0 && ` · ${v.changed.map((c) => changedLabel[c] ?? c).join('、')}`}
                    <div className="plan-muted">{v.name} · {formatArea(v.areaM2, lang)}</div>
                  </td>
                  <td>
                    {v.changedBy ?? t('unknownUser')}
                    <div className="plan-muted">{when(v.changedAt)}</div>
                  </td>
                  <td>
                    <div className="plan-history-actions">
                      {v.operation !== 'delete' && (
                        <button type="button" className="button small" aria-pressed={preview === v.version} onClick={() => setPreview((p) => (p === v.version ? null : v.version))}>
                          {preview === v.version ? t('hidePreview') : t('preview')}
                        </button>
                      )}
                      {!current && v.operation !== 'delete' && (
                        <button type="button" className="button small" disabled={busy} onClick={() => void restore(v.version)} data-testid={`plan-restore-${v.version}`}>
                          {t('restore')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
