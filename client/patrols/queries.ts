import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { patrolApi, type Inspection } from './api.ts';

const params = (query: Record<string, string>) => new URLSearchParams(query);

/**
 * Inspection coverage: cells and units with their status (GET /api/inspections/coverage). Keyed by
 * its parameters, so the overview of today and the worker's list share it; while another day loads,
 * the previous answer stays.
 */
export function usePatrolCoverage(query: Record<string, string>) {
  return useQuery({
    queryKey: keys.patrols.coverage(query),
    queryFn: ({ signal }) => patrolApi.coverage(params(query), signal),
    placeholderData: keepPreviousData,
  });
}

/** Cells shaded by the share inspected and the overdue units, for the map (GET /api/inspections/coverage/map). */
export function usePatrolCoverageMap(query: Record<string, string>) {
  return useQuery({
    queryKey: keys.patrols.coverageMap(query),
    queryFn: ({ signal }) => patrolApi.coverageMap(params(query), signal),
    placeholderData: keepPreviousData,
  });
}

/** Check-ins made far from their unit in a window (GET /api/inspections/far-check-ins). */
export function useFarCheckIns(query: { from: string; to: string }) {
  return useQuery({
    queryKey: keys.patrols.farCheckIns(query),
    queryFn: ({ signal }) => patrolApi.farCheckIns(params(query), signal),
    placeholderData: keepPreviousData,
  });
}

/**
 * The patrol I left open, or null. Offline the service worker may answer from before a finish that
 * still waits in the outbox (WorkerPatrol shows that finish as queued).
 */
export function useOpenPatrol() {
  return useQuery({
    queryKey: keys.patrols.open(),
    queryFn: async ({ signal }): Promise<Inspection | null> => {
      const open = await patrolApi.openPatrols(signal);
      return open.items[0] ? patrolApi.inspection(open.items[0].id, signal) : null;
    },
  });
}
