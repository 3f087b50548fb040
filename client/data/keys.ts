import type { Bounds } from '../api.ts';

/**
 * Every query key of the client, in one place. Keys are arrays that nest by domain, so one
 * `invalidateQueries({ queryKey: keys.cells.all })` reaches every query under it (a prefix match):
 * a cell's card, duties and lineage sit under `keys.cells.one(id)`, lists under `keys.cells.lists()`.
 * Filters are objects at the end of a key (TanStack hashes them by value, ignoring key order).
 */
export const keys = {
  /** GET /api/client-config: levels, basemap, time zone. */
  clientConfig: () => ['client-config'] as const,
  /** GET /api/levels. */
  levels: () => ['levels'] as const,
  /** GET /api/assignment-roles: the configured role order. */
  assignmentRoles: () => ['assignment-roles'] as const,

  cells: {
    all: ['cells'] as const,
    lists: () => ['cells', 'list'] as const,
    /** Cells of a level, children of a cell, or those meeting a box (GET /api/cells?…). */
    list: (query: { level?: number; parentId?: number; bbox?: Bounds }) => ['cells', 'list', query] as const,
    level: (level: number) => keys.cells.list({ level }),
    children: (parentId: number) => keys.cells.list({ parentId }),
    /** One cell; everything read about it (card, duties, lineage…) is keyed under it. */
    /** Every query about one cell or another (the prefix of `one`). */
    perCell: () => ['cells', 'one'] as const,
    one: (id: number) => ['cells', 'one', id] as const,
    feature: (id: number) => [...keys.cells.one(id), 'feature'] as const,
    /** The cell and its ancestors, root first. */
    lineage: (id: number) => [...keys.cells.one(id), 'lineage'] as const,
    card: (id: number) => [...keys.cells.one(id), 'card'] as const,
    duties: (id: number) => [...keys.cells.one(id), 'duties'] as const,
    assignments: (id: number) => [...keys.cells.one(id), 'assignments'] as const,
    workload: (id: number) => [...keys.cells.one(id), 'workload'] as const,
    history: (id: number) => [...keys.cells.one(id), 'history'] as const,
  },

  reports: {
    all: ['reports'] as const,
    /** GET /api/reports/config: categories, severities, states, actions. */
    config: () => ['reports', 'config'] as const,
    lists: () => ['reports', 'list'] as const,
    list: (filter: { state?: readonly string[]; category?: string; overdue?: boolean }) => ['reports', 'list', filter] as const,
    one: (id: number) => ['reports', 'one', id] as const,
    events: (id: number) => [...keys.reports.one(id), 'events'] as const,
    rewards: () => ['reports', 'rewards'] as const,
  },

  command: {
    all: ['command'] as const,
    heatmap: (query: string) => ['command', 'heatmap', query] as const,
    stats: (query: string) => ['command', 'stats', query] as const,
    cell: (id: number, query: string) => ['command', 'cell', id, query] as const,
    warningLists: () => ['command', 'warnings'] as const,
    warnings: (query: { from: string; to: string; cellId: number | null }) => ['command', 'warnings', query] as const,
    evaluations: (period: string, level: number) => ['command', 'evaluations', period, level] as const,
  },

  units: {
    all: ['units'] as const,
    types: () => ['units', 'types'] as const,
    lists: () => ['units', 'list'] as const,
    list: (query: Record<string, unknown>) => ['units', 'list', query] as const,
    one: (id: number) => ['units', 'one', id] as const,
  },

  people: {
    all: ['people'] as const,
    searches: () => ['people', 'search'] as const,
    search: (query: Record<string, unknown>) => ['people', 'search', query] as const,
    gaps: (query: Record<string, unknown>) => ['people', 'gaps', query] as const,
  },

  patrols: {
    all: ['patrols'] as const,
    coverage: (query: Record<string, unknown>) => ['patrols', 'coverage', query] as const,
    coverageMap: (query: Record<string, unknown>) => ['patrols', 'coverage-map', query] as const,
    farCheckIns: (query: Record<string, unknown>) => ['patrols', 'far-check-ins', query] as const,
    /** The patrol I left open (GET /api/inspections?mine&open, then that inspection), or null. */
    open: () => ['patrols', 'open'] as const,
    /** A cell's units with their checklist and status (GET /api/plans/cells/:id). */
    plan: (cellId: number) => ['patrols', 'plan', cellId] as const,
  },

  /** The header's search (GET /api/search); the user is in the key, since a session changes what it may return. */
  search: (query: { q: string; user: number | null }) => ['search', query] as const,

  admin: {
    all: ['admin'] as const,
    users: () => ['admin', 'users'] as const,
    audit: (query: Record<string, unknown>) => ['admin', 'audit', query] as const,
    basemap: () => ['admin', 'basemap'] as const,
  },
} as const;
