import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { REFERENCE_STALE_MS } from '../data/client.ts';
import { keys } from '../data/keys.ts';
import type { Assignment, Role } from './model.ts';

/** The configured roles (GET /api/assignment-roles), in their order. */
export function useRoles() {
  return useQuery({
    queryKey: keys.assignmentRoles(),
    queryFn: ({ signal }) => api<Role[]>('/api/assignment-roles', { signal }),
    staleTime: REFERENCE_STALE_MS,
  });
}

export const assignmentsQuery = (cellId: number) => ({
  queryKey: keys.cells.assignments(cellId),
  queryFn: ({ signal }: { signal: AbortSignal }) => api<Assignment[]>(`/api/cells/${cellId}/assignments`, { signal }),
});

/**
 * After assignments changed: of the one cell (a saved list), or of any (an import), what shows
 * them is read again — the assignment lists, the public cards (a card lists its cell's people) and
 * the gaps by role. Cells' geometry, lists and lineages stay cached.
 */
export function invalidateAssignments(client: QueryClient, cellId: number | null): Promise<void> {
  const shows = new Set(['assignments', 'card']);
  return Promise.all([
    client.invalidateQueries({
      queryKey: cellId === null ? keys.cells.all : keys.cells.one(cellId),
      predicate: (q) => q.queryKey[1] === 'one' && shows.has(String(q.queryKey[3])),
    }),
    client.invalidateQueries({ queryKey: keys.people.all }),
  ]).then(() => undefined);
}
