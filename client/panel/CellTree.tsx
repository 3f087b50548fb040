import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Cell, Level } from '../api.ts';
import { cellsQuery } from '../data/cells.ts';
import { useI18n } from '../i18n/index.tsx';
import { LevelSwatch } from './LevelSwatch.tsx';

/** The branch of the top level. */
const ROOT = 0;

interface Props {
  levels: Level[];
  /** The selected cell and its ancestors, root first: the tree opens down to it. */
  lineage: Cell[];
  selectedId: number | null;
  onSelect: (id: number) => void;
}

interface TreeState {
  levels: Level[];
  deepestLevel: number;
  topLevel: number;
  expanded: ReadonlySet<number>;
  selectedId: number | null;
  onToggle: (id: number) => void;
  onSelect: (id: number) => void;
}

/** The children of a branch: the top level, or a cell's children (keys.cells.level / keys.cells.children). */
const branchQuery = (parent: number, topLevel: number) => cellsQuery(parent === ROOT ? { level: topLevel } : { parentId: parent });

/** The cell hierarchy, loaded a level at a time as branches open. */
export function CellTree({ levels, lineage, selectedId, onSelect }: Props) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const deepestLevel = Math.max(...levels.map((l) => l.level));
  const topLevel = Math.min(...levels.map((l) => l.level));

  // Open every ancestor of a new selection (the selection itself stays as it was); their children
  // are asked for at once rather than a level at a time as the branches render.
  useEffect(() => {
    const ancestors = lineage.slice(0, -1).map((c) => c.id);
    if (!ancestors.length) return;
    for (const id of ancestors) void queryClient.prefetchQuery(branchQuery(id, topLevel));
    setExpanded((open) => (ancestors.every((id) => open.has(id)) ? open : new Set([...open, ...ancestors])));
  }, [lineage, queryClient, topLevel]);

  const toggle = (id: number) => setExpanded((open) => (open.has(id) ? new Set([...open].filter((other) => other !== id)) : new Set([...open, id])));

  const tree: TreeState = { levels, deepestLevel, topLevel, expanded, selectedId, onToggle: toggle, onSelect };
  return (
    <section className="tree" aria-labelledby="tree-title">
      <h2 id="tree-title" className="section-title">{t('tree.title')}</h2>
      <div className="tree-scroll"><Branch parent={ROOT} depth={0} tree={tree} /></div>
    </section>
  );
}

function Branch({ parent, depth, tree }: { parent: number; depth: number; tree: TreeState }) {
  const { t } = useI18n();
  const { data: items, error, isPending } = useQuery(branchQuery(parent, tree.topLevel));
  if (error) return <div className="tree-note error" style={{ paddingLeft: indent(depth) }}>{t('error.load', { message: error.message })}</div>;
  if (isPending) return <div className="tree-note" style={{ paddingLeft: indent(depth) }}>{t('tree.loading')}</div>;
  if (!items.length) return parent === ROOT ? <div className="tree-note">{t('tree.empty')}</div> : null;
  return (
    <ul role={parent === ROOT ? 'tree' : 'group'} aria-label={parent === ROOT ? t('tree.title') : undefined}>
      {items.map((cell) => <TreeItem key={cell.id} cell={cell} depth={depth} tree={tree} />)}
    </ul>
  );
}

function TreeItem({ cell, depth, tree }: { cell: Cell; depth: number; tree: TreeState }) {
  // Its children as far as they are loaded (this observer never fetches; an open branch does):
  // a cell found to have none is a leaf.
  const { data: loaded } = useQuery({ ...branchQuery(cell.id, tree.topLevel), enabled: false });
  const leaf = cell.properties.level >= tree.deepestLevel || loaded?.length === 0;
  const open = tree.expanded.has(cell.id) && !leaf;
  return (
    <li role="treeitem" aria-expanded={leaf ? undefined : open} aria-selected={cell.id === tree.selectedId} aria-level={depth + 1}>
      <TreeRow
        cell={cell}
        levels={tree.levels}
        depth={depth}
        leaf={leaf}
        open={open}
        selected={cell.id === tree.selectedId}
        onToggle={tree.onToggle}
        onSelect={tree.onSelect}
      />
      {open && <Branch parent={cell.id} depth={depth + 1} tree={tree} />}
    </li>
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
