import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';

/** A configured grid level; names are configuration, in both languages. */
export interface Level {
  level: number;
  zh: string;
  en: string;
}

export interface Basemap {
  styleUrl?: string;
  rasterTiles?: string;
  attribution?: string;
}

export type Bounds = [number, number, number, number];

export interface ClientConfig {
  levels: Level[];
  basemap: Basemap;
  bounds: Bounds | null;
}

export interface CellProperties {
  code: string;
  name: string;
  level: number;
  parentId: number | null;
  version: number;
  areaM2: number;
}

export type Cell = Feature<MultiPolygon, CellProperties> & { id: number };

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = ((await response.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // Not problem+json: the status text is all there is.
    }
    throw new Error(`${url}: ${response.status} ${detail}`);
  }
  return (await response.json()) as T;
}

export const fetchClientConfig = (signal?: AbortSignal) => getJson<ClientConfig>('/api/client-config', signal);

export const fetchCell = (id: number, signal?: AbortSignal) => getJson<Cell>(`/api/cells/${id}`, signal);

/** Cells of a level, children of a cell, or those meeting a box; ordered by level and code. */
export async function fetchCells(query: { level?: number; parentId?: number; bbox?: Bounds }, signal?: AbortSignal): Promise<Cell[]> {
  const params = new URLSearchParams();
  if (query.level !== undefined) params.set('level', String(query.level));
  if (query.parentId !== undefined) params.set('parentId', String(query.parentId));
  if (query.bbox) params.set('bbox', query.bbox.map((v) => v.toFixed(6)).join(','));
  const fc = await getJson<FeatureCollection<MultiPolygon, CellProperties>>(`/api/cells?${params}`, signal);
  return fc.features as Cell[];
}

/** The cell and its ancestors, root first. */
export async function fetchLineage(id: number, signal?: AbortSignal): Promise<Cell[]> {
  const lineage: Cell[] = [];
  for (let next: number | null = id; next !== null; ) {
    const cell: Cell = await fetchCell(next, signal);
    lineage.unshift(cell);
    next = cell.properties.parentId;
  }
  return lineage;
}
