import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../data/keys.ts';
import type { Report } from './api.ts';
import { applyReportChange } from './cache.ts';

export interface StreamedReport {
  type: 'created' | 'changed';
  /** The full report (with allowedActions) for staff in scope; the public summary otherwise. */
  report: Report | { id: number; state: string };
}

/** Whether the event carries the report as staff see it (the stream sends a summary outside one's scope). */
export const isFull = (r: StreamedReport['report']): r is Report => 'allowedActions' in r;

/** How long to wait before opening a new stream when the browser gave up on one. */
const REOPEN_MS = 3_000;

/**
 * Live report events from /api/events (Server-Sent Events). Each event carries an id; when the
 * connection drops, EventSource reconnects with Last-Event-ID and the server sends every report
 * changed meanwhile, so nothing is missed. When the browser closes the stream for good (the server
 * was down, or the session ended), a new one is opened with ?lastEventId= to the same effect. Too
 * much missed, the server says "reset": every cached query of reports is invalidated, and `onReset`
 * runs. A full report (staff in scope) goes into the query cache (applyReportChange: the inbox lists,
 * the report, its timeline) before `onEvent` sees it. Returns whether the stream is connected.
 */
export function useReportEvents(onEvent: (e: StreamedReport) => void, onReset?: () => void): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  const reset = useRef(onReset);
  const queryClient = useQueryClient();
  useEffect(() => {
    handler.current = onEvent;
    reset.current = onReset;
  }, [onEvent, onReset]);
  useEffect(() => {
    let lastId: string | null = null;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(lastId ? `/api/events?lastEventId=${encodeURIComponent(lastId)}` : '/api/events');
      source.onopen = () => setConnected(true);
      source.onerror = () => {
        setConnected(false);
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          timer = setTimeout(open, REOPEN_MS);
        }
      };
      source.addEventListener('report', (m: MessageEvent<string>) => {
        if (m.lastEventId) lastId = m.lastEventId;
        try {
          const event = JSON.parse(m.data) as StreamedReport;
          if (isFull(event.report)) void applyReportChange(queryClient, event.report);
          handler.current(event);
        } catch {
          // A malformed event is skipped; the next list load corrects any drift.
        }
      });
      source.addEventListener('reset', () => {
        void queryClient.invalidateQueries({ queryKey: keys.reports.all });
        reset.current?.();
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [queryClient]);
  return connected;
}
