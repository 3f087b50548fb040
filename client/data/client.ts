import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api.ts';

/** How long reference data (cells, levels, configuration, role lists) counts as fresh. */
export const REFERENCE_STALE_MS = 30_000;

/** Attempts after the first for a failure that may pass (network, 5xx). */
const RETRIES = 1;

/**
 * Whether a failed query is tried again: never for a 4xx (the request itself is refused — not
 * found, forbidden, invalid — and asking again gives the same answer), once for anything else.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < RETRIES;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Data that changes under work (reports, statistics) is refetched when a view mounts again,
        // and shown from the cache meanwhile; reference data sets its own staleTime (REFERENCE_STALE_MS).
        staleTime: 0,
        retry: shouldRetry,
        retryDelay: 500,
        refetchOnWindowFocus: false,
        // Offline the service worker may still answer from its cache: always ask rather than wait
        // for navigator.onLine (TanStack's default would pause the query).
        networkMode: 'always',
      },
      mutations: {
        retry: false,
        networkMode: 'always',
      },
    },
  });
}

/** The page's one client (the provider mounts it; code outside React, such as the outbox, may reach it). */
export const queryClient = createQueryClient();
