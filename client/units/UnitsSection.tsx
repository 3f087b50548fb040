import { useEffect, useMemo, useState } from 'react';
import type { FeatureCollection, Point } from 'geojson';
import { api } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useOverlay, useSourceData } from '../map/overlay.ts';
import { useSession } from '../session/session.tsx';
import { UNITS_SOURCE, typeColor, unitsOverlay } from './layer.ts';
import { useUnitMessages } from './messages.ts';

interface UnitType {
  code: string;
  zh: string;
  en: string;
}

type Units = FeatureCollection<Point, { type: string; name: string; address?: string | null }>;

/** The selected cell's units and places (一户一档) with counts by type, and all units as a clustered map layer. */
export function UnitsSection({ cellId }: { cellId: number | null }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const { user } = useSession();
  const map = useMap();
  const [types, setTypes] = useState<UnitType[]>([]);
  const [all, setAll] = useState<Units | null>(null);
  const [inCell, setInCell] = useState<Units | null>(null);
  const [shown, setShown] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!user) return;
    Promise.all([api<UnitType[]>('/api/unit-types'), api<Units>('/api/units')])
      .then(([ts, units]) => {
        setTypes(ts);
        setAll(units);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [user]);

  useEffect(() => {
    setInCell(null);
    if (!user || cellId === null) return;
    const controller = new AbortController();
    api<Units>(`/api/units?cellId=${cellId}`, { signal: controller.signal })
      .then(setInCell)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
  }, [user, cellId]);

  const codes = useMemo(() => types.map((x) => x.code), [types]);

  const overlay = useMemo(() => (all && shown ? unitsOverlay(codes) : null), [all !== null, shown, codes]); // eslint-disable-line react-hooks/exhaustive-deps
  useOverlay(map, overlay);
  useSourceData(map, UNITS_SOURCE, all, overlay !== null);

  if (!user) return null;
  const typeName = (code: string) => {
    const found = types.find((x) => x.code === code);
    return found ? (lang === 'zh-CN' ? found.zh : found.en) : code;
  };
  const counts = new Map<string, number>();
  for (const f of inCell?.features ?? []) counts.set(f.properties.type, (counts.get(f.properties.type) ?? 0) + 1);

  return (
    <section className="panel-section units" data-testid="units">
      <div className="section-head">
        <h3>{t('title')}</h3>
        <label className="small"><input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} /> {t('showLayer')}</label>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {cellId === null ? <p className="muted small">{t('select')}</p> : !inCell ? <p className="muted small">{t('loading')}</p> : inCell.features.length === 0 ? (
        <p className="muted small">{t('none')}</p>
      ) : (
        <>
          <ul className="unit-counts" data-testid="unit-counts">
            {[...counts].map(([code, n]) => (
              <li key={code}><span className="unit-dot" style={{ background: typeColor(codes, code) }} />{typeName(code)} <strong>{n}</strong></li>
            ))}
          </ul>
          <p className="muted small">{t('count', { n: inCell.features.length })}</p>
          <ul className="feed">
            {inCell.features.slice(0, 100).map((f, i) => (
              <li key={f.id ?? i}><span className="unit-dot" style={{ background: typeColor(codes, f.properties.type) }} />{f.properties.name}{f.properties.address ? <span className="muted"> · {f.properties.address}</span> : null}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
