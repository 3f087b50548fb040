import type { Cell, Level } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { LevelSwatch } from './LevelSwatch.tsx';

export type LineageState = { status: 'idle' } | { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; lineage: Cell[] };

interface Props {
  levels: Level[];
  state: LineageState;
  onClear: () => void;
  onSelect: (id: number) => void;
}

const km2 = (m2: number) => (m2 / 1e6).toFixed(2);

/** What is known about the selected cell: code, name, level, parent and area. */
export function CellDetails({ levels, state, onClear, onSelect }: Props) {
  const { t, levelName } = useI18n();

  let body;
  if (state.status === 'idle') body = <p className="details-empty">{t('details.none')}</p>;
  else if (state.status === 'loading') body = <p className="details-empty">{t('tree.loading')}</p>;
  else if (state.status === 'error') body = <p className="details-empty error">{t('error.load', { message: state.message })}</p>;
  else {
    const cell = state.lineage[state.lineage.length - 1]!;
    const parent = state.lineage[state.lineage.length - 2];
    const { name, code, level, areaM2 } = cell.properties;
    body = (
      <>
        <div className="details-heading">
          <LevelSwatch levels={levels} level={level} />
          <h3 className="details-name" data-testid="details-name">{name}</h3>
          <button type="button" className="icon-button" onClick={onClear} aria-label={t('details.clear')} title={t('details.clearHint')}>
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" /></svg>
          </button>
        </div>
        {state.lineage.length > 1 && (
          <nav className="breadcrumb" aria-label={t('details.parent')}>
            {state.lineage.slice(0, -1).map((c) => (
              <button key={c.id} type="button" className="link" onClick={() => onSelect(c.id)}>{c.properties.name}</button>
            ))}
          </nav>
        )}
        <dl className="details-list">
          <dt>{t('details.code')}</dt>
          <dd className="mono">{code}</dd>
          <dt>{t('details.level')}</dt>
          <dd>{levelName(levels, level)}</dd>
          <dt>{t('details.parent')}</dt>
          <dd>{parent ? parent.properties.name : t('details.topLevel')}</dd>
          <dt>{t('details.area')}</dt>
          <dd>{t('details.areaValue', { value: km2(areaM2) })}</dd>
        </dl>
      </>
    );
  }

  return (
    <section className="details" aria-labelledby="details-title" aria-live="polite">
      <h2 id="details-title" className="section-title">{t('details.title')}</h2>
      {body}
    </section>
  );
}
