import { useCallback, useState } from 'react';
import { isFull, useReportEvents, type StreamedReport } from '../reports/useReportEvents.ts';

/** A report as the event stream sends it to staff in scope. */
export interface LiveReport {
  id: number;
  location: { type: 'Point'; coordinates: [number, number] };
  category: string;
  severity: 'ordinary' | 'major';
  state: string;
  overdue?: boolean;
  cellName?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export interface LiveEvent {
  type: 'created' | 'changed';
  report: LiveReport;
  at: number;
}

const FEED_LENGTH = 30;

/**
 * The latest report events, newest first, over the same stream the inbox uses. `onEvent` sees each
 * one, so the heatmap can change in place without a refetch.
 */
export function useLiveFeed(onEvent: (e: LiveEvent) => void) {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const onStreamed = useCallback((e: StreamedReport) => {
    // Staff get the full report for their own cells; a bare public summary is someone else's street.
    if (!isFull(e.report)) return;
    const event: LiveEvent = { type: e.type, report: e.report as unknown as LiveReport, at: Date.now() };
    onEvent(event);
    setEvents((list) => [event, ...list].slice(0, FEED_LENGTH));
  }, [onEvent]);
  const connected = useReportEvents(onStreamed);
  return { events, connected };
}
