import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import type { TrackPoint } from './api.ts';
import { newAction, sendOrQueue } from '../offline/outbox.ts';
import type { TrackBody } from '../../core/contracts/patrols.ts';

export interface Fix {
  lon: number;
  lat: number;
  accuracy: number;
  /** When the phone took it (ms since epoch). */
  time: number;
}

const FLUSH_MS = 15_000;
/** A fix younger than this is good enough to check in with; else a fresh one is asked for. */
const FRESH_MS = 30_000;
/** The server takes points from up to 10 minutes before the start (a phone's clock may be off). */
const SLACK_MS = 9 * 60_000;

/**
 * The patrol's track: while a patrol is open, every position from watchPosition is buffered and
 * sent in batches; what is left goes with the finish. Also keeps the latest fix for check-ins.
 */
export function useTrack(inspectionId: number | null, startedAt: string | null) {
  const buffer = useRef<TrackPoint[]>([]);
  const last = useRef<Fix | null>(null);
  const [recorded, setRecorded] = useState(0);
  const [available, setAvailable] = useState(true);

  useEffect(() => {
    buffer.current = [];
    last.current = null;
    setRecorded(0);
    if (inspectionId === null) return;
    if (!('geolocation' in navigator)) {
      setAvailable(false);
      return;
    }
    const since = startedAt ? Date.parse(startedAt) : 0;
    const watch = navigator.geolocation.watchPosition(
      (pos) => {
        setAvailable(true);
        const previous = last.current;
        last.current = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy, time: pos.timestamp };
        // A fix delivered again, or cached from well before the patrol, is no part of its track.
        if (previous?.time === pos.timestamp || pos.timestamp < since - SLACK_MS) return;
        buffer.current.push({ lon: pos.coords.longitude, lat: pos.coords.latitude, at: new Date(pos.timestamp).toISOString(), accuracy: pos.coords.accuracy });
        setRecorded((n) => n + 1);
      },
      () => setAvailable(false),
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
    const flush = window.setInterval(() => {
      const batch = buffer.current.splice(0);
      if (batch.length === 0) return;
      // Offline, the batch waits in the outbox (it outlives a reload); a refused one is shown there.
      const { key, at } = newAction();
      sendOrQueue({ kind: 'track', key, at, method: 'POST', url: `/api/inspections/${inspectionId}/track`, body: { points: batch } satisfies TrackBody, label: String(batch.length), inspectionId })
        .catch((e: unknown) => console.warn('track points refused', e instanceof ApiError ? e.code : e));
    }, FLUSH_MS);
    return () => {
      navigator.geolocation.clearWatch(watch);
      window.clearInterval(flush);
    };
  }, [inspectionId, startedAt]);

  /** The points not yet sent (they go with the finish). */
  const drain = useCallback(() => buffer.current.splice(0), []);

  /** A position to check in with: the latest fix if fresh, else a new one; null when there is none. */
  const currentFix = useCallback(async (): Promise<Fix | null> => {
    const fix = last.current;
    if (fix && Date.now() - fix.time < FRESH_MS) return fix;
    if (!('geolocation' in navigator)) return null;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => resolve({ lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy, time: pos.timestamp }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: FRESH_MS },
      );
    });
  }, []);

  return { recorded, available, drain, currentFix };
}
