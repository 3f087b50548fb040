import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MapLayerMouseEvent } from 'maplibre-gl';
import { useQueryClient } from '@tanstack/react-query';
import { useCell } from '../data/cells.ts';
import { keys } from '../data/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useOverlay, useSourceData } from '../map/overlay.ts';
import { useRoute } from '../router.ts';
import { useSession } from '../session/session.tsx';
import type { ViewProps } from '../views.ts';
import { isArchived, type Unit, type UnitType } from './api.ts';
import { useUnits, useUnitTypes } from './queries.ts';
import { ImportUnits } from './ImportUnits.tsx';
import { UNITS_SOURCE, UNIT_LAYERS, typeColor, unitsOverlay } from './layer.ts';
import { useUnitMessages } from './messages.ts';
import { UnitForm } from './UnitForm.tsx';
import { UnitPage } from './UnitPage.tsx';
import './units.css';

const SHOWN = 200;
const NO_TYPES: UnitType[] = [];

/** Lower case, no spaces: "经二路 12号" finds "经二路12号". */
const squash = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/\s+/g, '');

/**
 * The units and places view (一户一档): the list with search and filters by type and cell (the cell
 * selected on the map), the units on the map, a unit's page, and new, edit, move, archive, import.
 */
export function UnitsPanel({ selectedId, onSelect }: ViewProps) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const session = useSession();
  const map = useMap();
  const route = useRoute();
  const { navigate } = route;
  const mayEdit = session.may('units.edit');
  const openId = Number(route.params.get('unit')) || null;
  const [query, setQuery] = useState('');
  const [type, setType] = useState('');
  const [withArchived, setWithArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const queryClient = useQueryClient();
  const reload = useCallback(() => void queryClient.invalidateQueries({ queryKey: keys.units.all }), [queryClient]);
  const typesQuery = useUnitTypes();
  const types = typesQuery.data ?? NO_TYPES;
  const cell = useCell(selectedId).data ?? null;
  const unitsQuery = useUnits({ cellId: selectedId, type });
  const units = unitsQuery.data ?? null;
  const failed = unitsQuery.error ?? typesQuery.error;
  const error = failed ? failed.message : null;

  const matching = useMemo(() => {
    const q = squash(query);
    return ((units?.features ?? []) as Unit[]).filter((u) => (withArchived || !isArchived(u))
      && (!q || [u.properties.name, u.properties.address, u.properties.contact, u.properties.cellCode].some((s) => squash(s).includes(q))));
  }, [units, query, withArchived]);

  const codes = useMemo(() => types.map((x) => x.code), [types]);
  const onMap = useMemo(() => ({ type: 'FeatureCollection' as const, features: matching.filter((u) => !isArchived(u)) }), [matching]);

  const overlay = useMemo(() => (codes.length ? unitsOverlay(codes) : null), [codes]);
  useOverlay(map, overlay);
  useSourceData(map, UNITS_SOURCE, onMap, overlay !== null);
  useEffect(() => {
    if (!map || !overlay) return;
    const open = (e: MapLayerMouseEvent) => {
      const id = e.features?.[0]?.id;
      if (id !== undefined) navigate('units', { unit: String(id) });
    };
    map.on('click', UNIT_LAYERS[2], open);
    return () => {
      map.off('click', UNIT_LAYERS[2], open);
    };
  }, [map, overlay, navigate]);

  const typeName = (code: string) => {
    const x = types.find((y) => y.code === code);
    return x ? (lang === 'zh-CN' ? x.zh : x.en) : code;
  };
  const back = () => route.navigate('units');

  if (openId !== null) return <div className="view-panel"><UnitPage key={openId} id={openId} types={types} onBack={back} onChanged={reload} /></div>;
  if (creating) {
    return (
      <div className="view-panel">
        <UnitForm types={types} unit={null} onCancel={() => setCreating(false)} onDone={(u) => { setCreating(false); reload(); route.navigate('units', { unit: String(u.id) }); }} />
      </div>
    );
  }

  const exportParams = new URLSearchParams();
  if (selectedId) exportParams.set('cellId', String(selectedId));
  if (type) exportParams.set('type', type);
  return (
    <div className="view-panel">
      <section className="panel-section units-list" data-testid="units-list">
        <div className="section-head">
          <h3>{t('archiveTitle')}</h3>
          {mayEdit && (
            <div className="unit-actions">
              <button type="button" className="button small" onClick={() => setImporting(true)} data-testid="units-import-open">{t('import')}</button>
              <button type="button" className="button small primary" onClick={() => setCreating(true)} data-testid="unit-new">{t('add')}</button>
            </div>
          )}
        </div>
        <div className="units-filters">
          <input type="search" className="input" placeholder={t('search')} aria-label={t('search')} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="units-search" />
          <select className="input" aria-label={t('type')} value={type} onChange={(e) => setType(e.target.value)} data-testid="units-type">
            <option value="">{t('allTypes')}</option>
            {types.map((x) => <option key={x.code} value={x.code}>{lang === 'zh-CN' ? x.zh : x.en}</option>)}
          </select>
        </div>
        <div className="units-chips">
          {selectedId !== null ? (
            <button type="button" className="chip" onClick={() => onSelect(null)} title={t('clearCell')} data-testid="units-cell-filter">
              {t('inCell', { cell: cell ? `${cell.properties.name} ${cell.properties.code}` : String(selectedId) })} ×
            </button>
          ) : <span className="small muted">{t('allCells')}</span>}
          <label className="small"><input type="checkbox" checked={withArchived} onChange={(e) => setWithArchived(e.target.checked)} data-testid="units-archived" /> {t('showArchived')}</label>
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        {!units ? <p className="muted small">{t('loading')}</p> : matching.length === 0 ? <p className="muted small">{t('noMatch')}</p> : (
          <>
            <p className="small muted" data-testid="units-count">{t('shown', { shown: Math.min(SHOWN, matching.length), n: matching.length })}
              {' · '}<a href={`/api/units/export.csv?${exportParams}`} download>{t('export')}</a></p>
            <ul className="units-rows">
              {matching.slice(0, SHOWN).map((u) => (
                <li key={u.id}>
                  <a href={`#/units?unit=${u.id}`} className="unit-row" data-testid="unit-row">
                    <span className="unit-dot" style={{ background: typeColor(codes, u.properties.type) }} />
                    <span className="unit-row-main">
                      <span className="unit-row-name">{u.properties.name}{isArchived(u) && <span className="badge warn"> {t('archived')}</span>}</span>
                      <span className="unit-row-sub">{typeName(u.properties.type)}{u.properties.address ? ` · ${u.properties.address}` : ''}</span>
                    </span>
                    <span className="unit-row-cell mono">{u.properties.cellCode ?? t('noCell')}</span>
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {importing && <ImportUnits types={types} onClose={() => setImporting(false)} onImported={reload} />}
    </div>
  );
}
