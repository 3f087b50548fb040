import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchCells, type Cell, type Level } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { LevelSwatch } from './LevelSwatch.tsx';

type Children = Cell[] | 'loading' | { error: string };
/** Children by parent id; ROOT holds the top level. */
type ChildrenByParent = Record<number, Children>;
const ROOT = 0;

interface Props {
  levels: Level[];
  /** The selected cell and its ancestors, root first: the tree opens down to it. */
  lineage: Cell[];
  selectedId: number | null;
  onSelect: (id: number) => void;
}

/** The cell hierarchy, loaded a level at a time as branches open. */
export function CellTree({ levels, lineage, selectedId, onSelect }: Props) {
  const { t } = useI18n();
  const [children, setChildren] = useState<ChildrenByParent>({});
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const requested = useRef(new Set<number>());
  const deepestLevel = Math.max(...levels.map((l) => l.level));
  const topLevel = Math.min(...levels.map((l) => l.level));

  const load = useCallback((parent: number) => {
    if (requested.current.has(parent)) return;
    requested.current.add(parent);
    setChildren((c) => ({ ...c, [parent]: 'loading' }));
    fetchCells(parent === ROOT ? { level: topLevel } : { parentId: parent })
      .then((cells) => setChildren((c) => ({ ...c, [parent]: cells })))
      .catch((e: unknown) => {
        requested.current.delete(parent);
        setChildren((c) => ({ ...c, [parent]: { error: e instanceof Error ? e.message : String(e) } }));
      });
  }, [topLevel]);

  useEffect(() => load(ROOT), [load]);

  // Open every ancestor of a new selection (the selection itself stays as it was).
  useEffect(() => {
    const ancestors = lineage.slice(0, -1).map((c) => c.id);
    if (!ancestors.length) return;
    ancestors.forEach(load);
    setExpanded((open) => (ancestors.every((id) => open.has(id)) ? open : new Set([...open, ...ancestors])));
  }, [lineage, load]);

  const toggle = (id: number) => {
    if (expanded.has(id)) {
      setExpanded((open) => new Set([...open].filter((other) => other !== id)));
    } else {
      load(id);
      setExpanded((open) => new Set([...open, id]));
    }
  };

  const renderBranch = (parent: number, depth: number) => {
    const items = children[parent];
    if (items === undefined || items === 'loading') return <div className="tree-note" style={{ paddingLeft: indent(depth) }}>{t('tree.loading')}</div>;
    if ('error' in items) return <div className="tree-note error" style={{ paddingLeft: indent(depth) }}>{t('error.load', { message: items.error })}</div>;
    if (!items.length) return parent === ROOT ? <div className="tree-note">{t('tree.empty')}</div> : null;
    return (
      <ul role={parent === ROOT ? 'tree' : 'group'} aria-label={parent === ROOT ? t('tree.title') : undefined}>
        {items.map((cell) => {
          const loaded = children[cell.id];
          const leaf = cell.properties.level >= deepestLevel || (Array.isArray(loaded) && loaded.length === 0);
          const open = expanded.has(cell.id) && !leaf;
          return (
            <li key={cell.id} role="treeitem" aria-expanded={leaf ? undefined : open} aria-selected={cell.id === selectedId} aria-level={depth + 1}>
              <TreeRow
                cell={cell}
                levels={levels}
                depth={depth}
                leaf={leaf}
                open={open}
                selected={cell.id === selectedId}
                onToggle={toggle}
                onSelect={onSelect}
              />
              {open && renderBranch(cell.id, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };

  return (
    <section className="tree" aria-labelledby="tree-title">
      <h2 id="tree-title" className="section-title">{t('tree.title')}</h2>
      <div className="tree-scroll">{renderBranch(ROOT, 0)}</div>
    </section>
  );
}

const indent = (depth: number) => 8 + depth * 16;

interface RowProps {
  cell: Cell;
  levels: Level[];
  depth: number;
  leaf: boolean;
  open: boolean;
  selected: boolean;
  onToggle: (id: number) => void;
  onSelect: (id: number) => void;
}

function TreeRow({ cell, levels, depth, leaf, open, selected, onToggle, onSelect }: RowProps) {
  const { t, levelName } = useI18n();
  const rowRef = useRef<HTMLDivElement>(null);
  const { name, level } = cell.properties;

  useEffect(() => {
    if (selected) rowRef.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  return (
    <div ref={rowRef} className={`tree-row${selected ? ' selected' : ''}`} style={{ paddingLeft: indent(depth) }} data-cell-id={cell.id}>
      {leaf ? (
        <span className="tree-toggle" aria-hidden="true" />
      ) : (
        <button
          type="button"
          className={`tree-toggle${open ? ' open' : ''}`}
          aria-label={t(open ? 'tree.collapse' : 'tree.expand', { name })}
          onClick={() => onToggle(cell.id)}
        >
          <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M6 3.5 10.5 8 6 12.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" /></svg>
        </button>
      )}
      <button type="button" className="tree-label" onClick={() => onSelect(cell.id)} title={cell.properties.code}>
        <LevelSwatch levels={levels} level={level} />
        <span className="tree-name">{name}</span>
        <span className="tree-level">{levelName(levels, level)}</span>
      </button>
    </div>
  );
}
