import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { api, ApiError } from '../api.ts';
import { newKey } from '../reports/api.ts';
import type { ProblemBody } from '../../core/problems/index.ts';

/**
 * The outbox: actions done without a network wait in IndexedDB (they survive closing the app and
 * restarting the phone) and are sent in the order they were done when the network returns. Each
 * carries its Idempotency-Key from the first attempt, so an action whose answer was lost is never
 * done twice, and the phone's time of the action (`at` in the body), so the server judges it by
 * when it happened. An action the server refuses stays, with the server's reason, until the worker
 * retries or discards it: nothing is dropped silently.
 */

export type OutboxKind = 'report' | 'checkin' | 'checklist' | 'finding' | 'track' | 'finish' | 'action';
export type OutboxState = 'queued' | 'sending' | 'refused';

export interface OutboxItem {
  id?: number;
  kind: OutboxKind;
  key: string;
  method: 'POST' | 'PUT';
  url: string;
  body: Record<string, unknown>;
  /** With photos the request is multipart: the body as JSON in this field, the photos in "photos". */
  formField?: string;
  photos?: Blob[];
  /** The phone's time of the action. */
  at: string;
  /** What it is about, for the list (a unit's name, a report's description). */
  label: string;
  /** For check-ins: the patrol and unit (the patrol screen shows them as queued). */
  inspectionId?: number;
  unitId?: number;
  state: OutboxState;
  tries: number;
  problem?: Partial<ProblemBody> & { status?: number };
}

interface OutboxDb extends DBSchema {
  outbox: { key: number; value: OutboxItem };
}

const CHANGED = 'wangge-outbox-changed';
const events = new EventTarget();
let dbPromise: Promise<IDBPDatabase<OutboxDb>> | null = null;

function db() {
  dbPromise ??= openDB<OutboxDb>('wangge-offline', 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
    },
  });
  return dbPromise;
}

function changed() {
  events.dispatchEvent(new Event(CHANGED));
}

export function onOutboxChange(listener: () => void): () => void {
  events.addEventListener(CHANGED, listener);
  return () => events.removeEventListener(CHANGED, listener);
}

/** Every waiting or refused action, oldest first. */
export async function outboxItems(): Promise<OutboxItem[]> {
  return (await db()).getAll('outbox');
}

/** The network failed (no answer at all), as opposed to an answer that refuses. */
export function isNetworkError(e: unknown): boolean {
  return !(e instanceof ApiError) || e.status >= 500 || e.status === 408 || e.status === 429;
}

/** A fresh action: its key and the phone's time, fixed at the first attempt. */
export function newAction(): { key: string; at: string } {
  return { key: newKey(), at: new Date().toISOString() };
}

/** Sends one action (the first attempt, or a replay): JSON, or multipart with its photos. */
export function send<T>(item: Pick<OutboxItem, 'method' | 'url' | 'body' | 'formField' | 'photos' | 'key'>): Promise<T> {
  let body: unknown = item.body;
  if (item.formField && item.photos?.length) {
    const form = new FormData();
    form.append(item.formField, JSON.stringify(item.body));
    item.photos.forEach((p, i) => form.append('photos', p, `photo-${i + 1}.jpg`));
    body = form;
  }
  return api<T>(item.url, { method: item.method, body, headers: { 'idempotency-key': item.key } });
}

export async function enqueue(item: Omit<OutboxItem, 'id' | 'state' | 'tries'>): Promise<void> {
  await (await db()).add('outbox', { ...item, state: 'queued', tries: 0 });
  changed();
  requestBackgroundSync();
}

/**
 * Tries an action now; when the network fails it goes into the outbox with the same key (the server
 * may have done it already: the replay then answers the first result). Resolves to the answer, or
 * to null when queued. A refusal (4xx) throws as before: the worker is there to see it.
 */
export async function sendOrQueue<T>(item: Omit<OutboxItem, 'id' | 'state' | 'tries'>): Promise<T | null> {
  // Earlier actions still waiting go first, so this one cannot overtake them.
  if (navigator.onLine && (await outboxItems()).every((i) => i.state === 'refused')) {
    try {
      return await send<T>(item);
    } catch (e) {
      if (!isNetworkError(e)) throw e;
    }
  }
  await enqueue(item);
  return null;
}

export async function updateItem(id: number, patch: Partial<OutboxItem>): Promise<void> {
  const d = await db();
  const item = await d.get('outbox', id);
  if (!item) return;
  await d.put('outbox', { ...item, ...patch });
  changed();
}

export async function discard(id: number): Promise<void> {
  await (await db()).delete('outbox', id);
  changed();
}

/** A refused action sent again (after signing in again, or when the worker thinks it should pass now). */
export async function retry(id: number): Promise<void> {
  await updateItem(id, { state: 'queued', problem: undefined });
  void flush();
}

let flushing: Promise<void> | null = null;

/** Sends the waiting actions in order; stops at the first network failure (the rest wait for the next try). */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    try {
      for (const item of await outboxItems()) {
        if (item.state === 'refused') continue;
        await updateItem(item.id!, { state: 'sending', tries: item.tries + 1 });
        try {
          await send(item);
          await discard(item.id!);
        } catch (e) {
          if (isNetworkError(e)) {
            await updateItem(item.id!, { state: 'queued' });
            return;
          }
          const err = e as ApiError;
          await updateItem(item.id!, { state: 'refused', problem: { ...err.problem, status: err.status, title: err.title } });
        }
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

function requestBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.ready
    .then((r) => (r as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register('wangge-outbox'))
    .catch(() => undefined);
}

/** Sends the outbox now (on open), when the network returns, and when the service worker's Background Sync says so. */
export function startOutbox(): void {
  window.addEventListener('online', () => void flush());
  navigator.serviceWorker?.addEventListener('message', (e: MessageEvent<{ type?: string }>) => {
    if (e.data?.type === 'wangge-outbox-sync') void flush();
  });
  if (navigator.onLine) void flush();
}
