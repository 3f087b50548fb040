import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { REFERENCE_STALE_MS } from '../data/client.ts';
import { keys } from '../data/keys.ts';
import { unitsApi } from './api.ts';

export function useUnitTypes(enabled = true) {
  return useQuery({ queryKey: keys.units.types(), queryFn: () => unitsApi.types(), staleTime: REFERENCE_STALE_MS, enabled });
}

/** Units of a cell (and below) and of a type; no cell, no type: all in one's scope. The previous list shows while another loads. */
export function useUnits(query: { cellId?: number | null; type?: string }, enabled = true) {
  // One key per list, however the filter was written (null, '' and absent are the same).
  const normal = { cellId: query.cellId || undefined, type: query.type || undefined };
  return useQuery({
    queryKey: keys.units.list(normal),
    queryFn: ({ signal }) => unitsApi.list(normal, signal),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** A unit with its history (its page). */
export function useUnitPage(id: number) {
  return useQuery({ queryKey: keys.units.one(id), queryFn: ({ signal }) => unitsApi.page(id, signal) });
}
