import { api } from '../api.ts';

export type HitKind = 'cell' | 'unit' | 'person' | 'report' | 'track' | 'point';

export interface Hit {
  kind: HitKind;
  id: number | string;
  label: string;
  detail: string | null;
  cellId: number | null;
  lon: number | null;
  lat: number | null;
  bbox: [number, number, number, number] | null;
}

export const searchApi = {
  search: (q: string, signal?: AbortSignal) => api<{ results: Hit[] }>(`/api/search?${new URLSearchParams({ q })}`, { signal }),
  cellAt: (lon: number, lat: number, signal?: AbortSignal) =>
    api<{ id: number; name: string; code: string }>(`/api/cards/at?${new URLSearchParams({ lon: String(lon), lat: String(lat) })}`, { signal }),
};
