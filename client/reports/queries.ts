import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { REFERENCE_STALE_MS } from '../data/client.ts';
import { keys } from '../data/keys.ts';
import { reportsApi, type InboxFilter } from './api.ts';

/** Categories, severities, states and actions (GET /api/reports/config). */
export function useReportsConfig() {
  return useQuery({
    queryKey: keys.reports.config(),
    queryFn: ({ signal }) => reportsApi.config(signal),
    staleTime: REFERENCE_STALE_MS,
  });
}

/**
 * The inbox list for a filter; the event stream patches it (cache.ts: applyReportChange). While a
 * new filter's list loads, the previous one stays in view.
 */
export function useReportList(filter: InboxFilter) {
  return useQuery({
    queryKey: keys.reports.list(filter),
    queryFn: ({ signal }) => reportsApi.list(filter, signal),
    placeholderData: keepPreviousData,
  });
}

export function useReport(id: number) {
  return useQuery({ queryKey: keys.reports.one(id), queryFn: ({ signal }) => reportsApi.get(id, signal) });
}

/** Every step taken on a report, oldest first. */
export function useReportTimeline(id: number) {
  return useQuery({ queryKey: keys.reports.events(id), queryFn: ({ signal }) => reportsApi.events(id, signal) });
}

/** The rewards ledger, read while it is open. */
export function useRewards(enabled: boolean) {
  return useQuery({ queryKey: keys.reports.rewards(), queryFn: ({ signal }) => reportsApi.rewards(signal), enabled });
}
