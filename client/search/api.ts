import { api } from '../api.ts';
import type { Card } from '../../core/contracts/people.ts';
import type { SearchAnswer } from '../../core/contracts/search.ts';

export type { Hit, HitKind } from '../../core/contracts/search.ts';

export const searchApi = {
  search: (q: string, signal?: AbortSignal) => api<SearchAnswer>(`/api/search?${new URLSearchParams({ q })}`, { signal }),
  cellAt: (lon: number, lat: number, signal?: AbortSignal) =>
    api<Card>(`/api/cards/at?${new URLSearchParams({ lon: String(lon), lat: String(lat) })}`, { signal }),
};
