import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import { inboxOrder, matchesFilter, type InboxFilter, type Report } from './api.ts';
import type { ReportPage } from '../../core/contracts/reports.ts';

/**
 * A report as it now is (an action's answer, or one that came on the event stream), into the cache:
 * every cached inbox list takes it (in order) when it matches the list's filter and drops it when
 * not; the rewards ledger (which a verification or a closure changes) is read again; the report
 * itself is replaced when this version is newer, once its timeline has been read again (when one is
 * cached), so the new state and the step that led to it show together.
 */
export async function applyReportChange(client: QueryClient, report: Report): Promise<void> {
  for (const [key, page] of client.getQueriesData<ReportPage>({ queryKey: keys.reports.lists() })) {
    if (!page) continue;
    const filter = key[2] as InboxFilter;
    const rest = page.items.filter((x) => x.id !== report.id);
    const items = matchesFilter(report, filter) ? [...rest, report].sort(inboxOrder) : rest;
    client.setQueryData<ReportPage>(key, { ...page, items });
  }
  void client.invalidateQueries({ queryKey: keys.reports.rewards() });
  const timeline = keys.reports.events(report.id);
  if (client.getQueryData(timeline) !== undefined) {
    // The stream's event and the action's answer come close together: they share one read.
    await client.refetchQueries({ queryKey: timeline, exact: true }, { cancelRefetch: false });
  } else {
    void client.invalidateQueries({ queryKey: timeline });
  }
  client.setQueryData<Report>(keys.reports.one(report.id), (cached) => (cached && cached.version >= report.version ? cached : report));
}
