import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { inboxOrder, matchesFilter, type InboxFilter, type Report } from './api.ts';
import type { ReportPage } from '../../core/contracts/reports.ts';

/**
 * A report as it now is (an action's answer, or one that came on the event stream), into the cache:
 * every cached inbox list takes it (in order) when it matches the list's filter and drops it when
 * not; the report itself is replaced when this version is newer; its timeline and the rewards
 * ledger (which a verification or a closure changes) are read again.
 */
export function applyReportChange(client: QueryClient, report: Report): void {
  for (const [key, page] of client.getQueriesData<ReportPage>({ queryKey: keys.reports.lists() })) {
    if (!page) continue;
    const filter = key[2] as InboxFilter;
    const rest = page.items.filter((x) => x.id !== report.id);
    const items = matchesFilter(report, filter) ? [...rest, report].sort(inboxOrder) : rest;
    client.setQueryData<ReportPage>(key, { ...page, items });
  }
  client.setQueryData<Report>(keys.reports.one(report.id), (cached) => (cached && cached.version >= report.version ? cached : report));
  void client.invalidateQueries({ queryKey: keys.reports.events(report.id) });
  void client.invalidateQueries({ queryKey: keys.reports.rewards() });
}
