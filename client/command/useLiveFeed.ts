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
 * The feed's order: major hazards (重大) first, then the newest. One line per report: a later event
 * of the same report replaces its line.
 */
export function mergeFeed(list: LiveEvent[], event: LiveEvent): LiveEvent[] {
  const rest = list.filter((e) => e.report.id !== event.report.id);
  const major = (e: LiveEvent) => (e.report.severity === 'major' ? 0 : 1);
  return [event, ...rest].sort((a, b) => major(a) - major(b) || b.at - a.at).slice(0, FEED_LENGTH);
}

const SOUND_KEY = 'wangge.command.sound';

/** Whether the commander turned the sound on (off by default: browsers block sound before a click). */
export const soundPreference = {
  get: () => {
    try {
      return localStorage.getItem(SOUND_KEY) === 'on';
    } catch {
      return false;
    }
  },
  set: (on: boolean) => {
    try {
      localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  },
};

let audio: AudioContext | null = null;

/** A short two-tone alert, made with Web Audio (no sound file). */
export function playAlert() {
  try {
    audio ??= new AudioContext();
    const t = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.5);
    [880, 660].forEach((hz, i) => {
      const osc = audio!.createOscillator();
      osc.type = 'sine';
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(t + i * 0.2);
      osc.stop(t + i * 0.2 + 0.2);
    });
  } catch {
    // No audio device: the highlighted line is the alert.
  }
}

/**
 * The latest report events, newest first, over the same stream the inbox uses. `onEvent` sees each
 * one, so the heatmap can change in place without a refetch.
 */
export function useLiveFeed(onEvent: (e: LiveEvent) => void, sound: boolean) {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const onStreamed = useCallback((e: StreamedReport) => {
    // Staff get the full report for their own cells; a bare public summary is someone else's street.
    if (!isFull(e.report)) return;
    const event: LiveEvent = { type: e.type, report: e.report as unknown as LiveReport, at: Date.now() };
    // The line first: the map's work for the same event comes after it.
    setEvents((list) => mergeFeed(list, event));
    if (sound && event.type === 'created' && event.report.severity === 'major') playAlert();
    onEvent(event);
  }, [onEvent, sound]);
  const connected = useReportEvents(onStreamed);
  return { events, connected };
}
