import { keepPreviousData, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, fetchCell, fetchCells, type Bounds, type Cell, type ClientConfig, type Level } from '../api.ts';
import { setTimeZone } from '../i18n/time.ts';
import { REFERENCE_STALE_MS } from './client.ts';
import { keys } from './keys.ts';

/**
 * Queries of cells and of the reference data every view shares. Cells change only by the plan
 * tools, imports and coverage fixes, which all call the map's `refreshCells`: it invalidates
 * `keys.cells.all`, so cells may be kept fresh for REFERENCE_STALE_MS.
 */

/**
 * After cells were edited (drawn, reshaped, split, merged, deleted, imported): lists of cells are
 * read again now; what was read about one cell is marked stale and read again when next shown —
 * not at once, since the edit may have deleted that very cell (a refetch would only find a 404).
 */
export function invalidateCells(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: keys.cells.lists() });
  void client.invalidateQueries({ queryKey: keys.cells.perCell(), refetchType: 'none' });
}

export function useClientConfig() {
  return useQuery({
    queryKey: keys.clientConfig(),
    queryFn: async ({ signal }) => {
      const config = await api<ClientConfig>('/api/client-config', { signal });
      if (config.timeZone) setTimeZone(config.timeZone);
      return config;
    },
    staleTime: Infinity,
  });
}

export function useLevels() {
  return useQuery({
    queryKey: keys.levels(),
    queryFn: ({ signal }) => api<Level[]>('/api/levels', { signal }),
    staleTime: REFERENCE_STALE_MS,
  });
}

/** The configured role order (GET /api/assignment-roles, public). */
export function useRoleOrder(): string[] {
  const { data } = useQuery({
    queryKey: keys.assignmentRoles(),
    queryFn: ({ signal }) => api<{ code: string }[]>('/api/assignment-roles', { signal }),
    select: (roles) => roles.map((r) => r.code),
    staleTime: REFERENCE_STALE_MS,
  });
  return data ?? EMPTY;
}
const EMPTY: string[] = [];

const cellQuery = (id: number) => ({
  queryKey: keys.cells.feature(id),
  queryFn: ({ signal }: { signal: AbortSignal }) => fetchCell(id, signal),
  staleTime: REFERENCE_STALE_MS,
});

/** One cell (GeoJSON feature); null id: no query. */
export function useCell(id: number | null) {
  return useQuery({ ...cellQuery(id ?? 0), enabled: id !== null });
}

/** The cell and its ancestors, root first; each cell is read from the cache when it is there. */
export async function readLineage(client: QueryClient, id: number): Promise<Cell[]> {
  const lineage: Cell[] = [];
  for (let next: number | null = id; next !== null; ) {
    const cell: Cell = await client.fetchQuery(cellQuery(next));
    lineage.unshift(cell);
    next = cell.properties.parentId;
  }
  return lineage;
}

export const lineageQuery = (client: QueryClient, id: number) => ({
  queryKey: keys.cells.lineage(id),
  queryFn: () => readLineage(client, id),
  staleTime: REFERENCE_STALE_MS,
});

/**
 * The cell and its ancestors, root first (null id: none). While another cell's lineage loads, the
 * previous one stays.
 */
export function useLineage(id: number | null) {
  const client = useQueryClient();
  return useQuery({ ...lineageQuery(client, id ?? 0), enabled: id !== null, placeholderData: keepPreviousData });
}

/** Cells of a level, children of a cell, or those meeting a box. */
export const cellsQuery = (query: { level?: number; parentId?: number; bbox?: Bounds }) => ({
  queryKey: keys.cells.list(query),
  queryFn: ({ signal }: { signal: AbortSignal }) => fetchCells(query, signal),
  staleTime: REFERENCE_STALE_MS,
});

export function useCells(query: { level?: number; parentId?: number; bbox?: Bounds }, enabled = true) {
  return useQuery({ ...cellsQuery(query), enabled });
}
