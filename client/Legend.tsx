import type { Level } from './api.ts';
import { useI18n } from './i18n/index.tsx';
import { LevelSwatch } from './panel/LevelSwatch.tsx';

/** Which colour is which level. */
export function Legend({ levels }: { levels: Level[] }) {
  const { t, levelName } = useI18n();
  return (
    <section className="legend" aria-label={t('legend.title')}>
      {levels.map((l) => (
        <span key={l.level} className="legend-item">
          <LevelSwatch levels={levels} level={l.level} />
          {levelName(levels, l.level)}
        </span>
      ))}
    </section>
  );
}
