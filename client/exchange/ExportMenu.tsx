import { useEffect, useState } from 'react';
import type { Level } from '../api.ts';
import { useLevels } from '../data/cells.ts';
import { useI18n } from '../i18n/index.tsx';
import { useExchangeMessages } from './messages.ts';

export const EXPORT_FORMATS = [
  { ext: 'geojson', label: 'fmtGeojson' },
  { ext: 'shp.zip', label: 'fmtShp' },
  { ext: 'kml', label: 'fmtKml' },
  { ext: 'gpkg', label: 'fmtGpkg' },
  { ext: 'csv', label: 'fmtCsv' },
] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number]['ext'];

const NO_LEVELS: Level[] = [];

/** The download address of an export: the whole grid or a subtree, all levels or one. */
export function exportUrl(format: ExportFormat, scope: { rootId: number | null; level: number | null }): string {
  const params = new URLSearchParams();
  if (scope.rootId !== null) params.set('rootId', String(scope.rootId));
  if (scope.level !== null) params.set('level', String(scope.level));
  const query = params.toString();
  return `/api/export/cells.${format}${query ? `?${query}` : ''}`;
}

/**
 * The planner's export: pick a format and a scope (the selected cell's subtree or the whole grid,
 * all levels or one), then download. The server names the file after the district, scope and date.
 */
export function ExportMenu({ rootId, level }: { rootId: number | null; level: number | null }) {
  const t = useExchangeMessages();
  const { lang } = useI18n();
  const levels: Level[] = useLevels().data ?? NO_LEVELS;
  const [format, setFormat] = useState<ExportFormat>('geojson');
  const [subtree, setSubtree] = useState(rootId !== null);
  const [chosenLevel, setChosenLevel] = useState<number | null>(level);

  useEffect(() => setSubtree(rootId !== null), [rootId]);
  useEffect(() => setChosenLevel(level), [level]);

  const scope = { rootId: subtree ? rootId : null, level: chosenLevel };
  const href = exportUrl(format, scope);
  const levelName = (l: Level) => (lang === 'zh-CN' ? l.zh : l.en);
  const what = [
    subtree && rootId !== null ? t('scopeSubtree') : t('scopeAll'),
    chosenLevel !== null ? levelName(levels.find((l) => l.level === chosenLevel) ?? { level: chosenLevel, zh: String(chosenLevel), en: String(chosenLevel) }) : t('allLevels'),
  ].join(' · ');
  const ogcUrl = `${window.location.origin}/ogc`;

  return (
    <div className="form" data-testid="export-menu">
      <label>
        {t('format')}
        <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {EXPORT_FORMATS.map((f) => <option key={f.ext} value={f.ext}>{t(f.label)}</option>)}
        </select>
      </label>
      <label>
        {t('scope')}
        <select value={subtree ? 'subtree' : 'all'} onChange={(e) => setSubtree(e.target.value === 'subtree')}>
          <option value="all">{t('scopeAll')}</option>
          <option value="subtree" disabled={rootId === null}>{t('scopeSubtree')}</option>
        </select>
      </label>
      <label>
        {t('level')}
        <select value={chosenLevel ?? ''} onChange={(e) => setChosenLevel(e.target.value === '' ? null : Number(e.target.value))}>
          <option value="">{t('allLevels')}</option>
          {levels.map((l) => <option key={l.level} value={l.level}>{l.level} · {levelName(l)}</option>)}
        </select>
      </label>
      <div className="form-actions">
        <a className="button primary" style={{ textDecoration: 'none' }} href={href} download title={t('exportHint', { format: format.toUpperCase(), what })}>{t('download')}</a>
      </div>
      <p className="muted">{t('ogcHint', { url: ogcUrl })}</p>
      <p>
        <a className="button" style={{ textDecoration: 'none' }} href="/api/export/project.qgs" download data-testid="qgis-project">{t('qgisProject')}</a>
        {' '}<span className="muted">{t('qgisProjectHint')}</span>
      </p>
    </div>
  );
}
