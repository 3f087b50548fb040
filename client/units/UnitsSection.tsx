import { useMemo, useState } from 'react';
import { useUnits, useUnitTypes } from './queries.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap } from '../map/context.tsx';
import { useOverlay, useSourceData } from '../map/overlay.ts';
import { useSession } from '../session/session.tsx';
import { UNITS_SOURCE, typeColor, unitsOverlay } from './layer.ts';
import { useUnitMessages } from './messages.ts';

const NO_TYPES: { code: string; zh: string; en: string }[] = [];

/** The selected cell's units and places (一户一档) with counts by type, and all units as a clustered map layer. */
export function UnitsSection({ cellId }: { cellId: number | null }) {
  const t = useUnitMessages();
  const { lang } = useI18n();
  const { user } = useSession();
  const map = useMap();
  const [shown, setShown] = useState(true);
  const typesQuery = useUnitTypes(!!user);
  const allQuery = useUnits({}, !!user);
  const inCellQuery = useUnits({ cellId }, !!user && cellId !== null);
  const types = typesQuery.data ?? NO_TYPES;
  const all = typesQuery.data && allQuery.data ? allQuery.data : null;
  // Another cell's list is not this one's, even for the moment the new one loads.
  const inCell = cellId !== null && !inCellQuery.isPlaceholderData ? inCellQuery.data ?? null : null;
  const failed = typesQuery.error ?? allQuery.error ?? (cellId !== null ? inCellQuery.error : null);
  const error = failed ? failed.message : null;

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
