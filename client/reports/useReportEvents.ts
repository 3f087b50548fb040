import { useEffect, useRef, useState } from 'react';
import type { Report } from './api.ts';

export interface StreamedReport {
  type: 'created' | 'changed';
  /** The full report (with allowedActions) for staff in scope; the public summary otherwise. */
  report: Report | { id: number; state: string };
}

/** Whether the event carries the report as staff see it (the stream sends a summary outside one's scope). */
export const isFull = (r: StreamedReport['report']): r is Report => 'allowedActions' in r;

/**
 * Live report events from /api/events (Server-Sent Events; EventSource reconnects by itself).
 * Returns whether the stream is connected; each event goes to `onEvent`.
 */
export function useReportEvents(onEvent: (e: StreamedReport) => void): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  useEffect(() => {
    const source = new EventSource('/api/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('report', (m: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(m.data) as StreamedReport);
      } catch {
        // A malformed event is skipped; the next list load corrects any drift.
      }
    });
    return () => source.close();
  }, []);
  return connected;
}
