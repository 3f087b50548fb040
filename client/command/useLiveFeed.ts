import { useEffect, useRef, useState } from 'react';

/** A report as the event stream sends it (the full report for staff in scope, else the public summary). */
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
 * Listens to /api/events (Server-Sent Events; the browser reconnects by itself) and keeps the latest
 * events, newest first. `onEvent` sees each one, so the heatmap can change in place without a refetch.
 */
export function useLiveFeed(onEvent: (e: LiveEvent) => void) {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);

  useEffect(() => {
    const source = new EventSource('/api/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('report', (message: MessageEvent<string>) => {
      const data = JSON.parse(message.data) as { type: 'created' | 'changed'; report: LiveReport & { trackingCode?: string } };
      // Staff get the full report for their own cells; a bare public summary is someone else's street.
      if (!data.report.trackingCode) return;
      const event: LiveEvent = { ...data, at: Date.now() };
      handler.current(event);
      setEvents((list) => [event, ...list].slice(0, FEED_LENGTH));
    });
    return () => source.close();
  }, []);

  return { events, connected };
}
