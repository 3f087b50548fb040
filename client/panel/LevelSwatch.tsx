import type { Level } from '../api.ts';
import { levelColors } from '../map/style.ts';

/** The colour a level has on the map, as a small square. */
export function LevelSwatch({ levels, level }: { levels: Level[]; level: number }) {
  const index = [...levels].sort((a, b) => a.level - b.level).findIndex((l) => l.level === level);
  const { fill, line } = levelColors(Math.max(index, 0));
  return <span className="swatch" style={{ background: `${fill}33`, borderColor: line }} aria-hidden="true" />;
}
