import { useEffect } from 'react';
import type { GeoJSON } from 'geojson';
import type { GeoJSONSource, LayerSpecification, Map as MaplibreMap, SourceSpecification, StyleImageMetadata } from 'maplibre-gl';

/** A layer of an overlay, optionally put under another layer of the map (when the map has it). */
export type OverlayLayer = LayerSpecification & { beforeId?: string };

/**
 * What a view draws over the cells while it is open: its own sources, layers and images. Every
 * view's map drawing goes through here, so each is added once and removed whole when the view closes.
 */
export interface Overlay {
  sources?: Record<string, SourceSpecification>;
  layers: OverlayLayer[];
  images?: Record<string, { image: { width: number; height: number; data: Uint8Array }; options?: Partial<StyleImageMetadata> }>;
}

export const EMPTY_COLLECTION: GeoJSON = { type: 'FeatureCollection', features: [] };

/** Adds the overlay's images, sources and layers in order; what the map already has is left as it is. */
export function addOverlay(map: MaplibreMap, overlay: Overlay) {
  for (const [id, { image, options }] of Object.entries(overlay.images ?? {})) if (!map.hasImage(id)) map.addImage(id, image, options);
  for (const [id, source] of Object.entries(overlay.sources ?? {})) if (!map.getSource(id)) map.addSource(id, source);
  for (const { beforeId, ...layer } of overlay.layers) {
    if (map.getLayer(layer.id)) continue;
    map.addLayer(layer as LayerSpecification, beforeId && map.getLayer(beforeId) ? beforeId : undefined);
  }
}

/** Removes the overlay's layers (last first), then its sources and images. */
export function removeOverlay(map: MaplibreMap, overlay: Overlay) {
  try {
    for (const { id } of [...overlay.layers].reverse()) if (map.getLayer(id)) map.removeLayer(id);
    for (const id of Object.keys(overlay.sources ?? {})) if (map.getSource(id)) map.removeSource(id);
    for (const id of Object.keys(overlay.images ?? {})) if (map.hasImage(id)) map.removeImage(id);
  } catch {
    // The map was removed first (the app is being torn down): nothing left to clean.
  }
}

/**
 * Shows `overlay` while it is not null, and takes it off when it becomes null, changes or the
 * component unmounts. A changing overlay must be memoised by the caller (its identity is the key).
 */
export function useOverlay(map: MaplibreMap | null, overlay: Overlay | null) {
  useEffect(() => {
    if (!map || !overlay) return;
    addOverlay(map, overlay);
    return () => removeOverlay(map, overlay);
  }, [map, overlay]);
}

/**
 * Keeps a GeoJSON source of a shown overlay at `data` (null: leaves it as it is). Declared after the
 * useOverlay that adds the source, so it runs once the source exists.
 */
export function useSourceData(map: MaplibreMap | null, sourceId: string, data: GeoJSON | null, shown = true) {
  useEffect(() => {
    if (!map || !shown || !data) return;
    map.getSource<GeoJSONSource>(sourceId)?.setData(data);
  }, [map, sourceId, data, shown]);
}
