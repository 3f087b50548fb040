import { describe, expect, it } from 'vitest';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { addOverlay, removeOverlay, type Overlay } from './overlay.ts';

/** The parts of a MapLibre map an overlay touches, recording the order of calls. */
function fakeMap(existing: string[] = []) {
  const layers: string[] = [...existing];
  const sources = new Set<string>();
  const images = new Set<string>();
  const calls: string[] = [];
  const map = {
    getLayer: (id: string) => (layers.includes(id) ? { id } : undefined),
    addLayer: (l: { id: string; beforeId?: string }, before?: string) => {
      calls.push(`layer ${l.id}${before ? ` before ${before}` : ''}`);
      if ('beforeId' in l) throw new Error('beforeId passed to MapLibre');
      layers.splice(before ? layers.indexOf(before) : layers.length, 0, l.id);
    },
    removeLayer: (id: string) => { calls.push(`-layer ${id}`); layers.splice(layers.indexOf(id), 1); },
    getSource: (id: string) => (sources.has(id) ? {} : undefined),
    addSource: (id: string) => { calls.push(`source ${id}`); sources.add(id); },
    removeSource: (id: string) => {
      if (layers.some((l) => l.startsWith(id))) throw new Error(`source ${id} removed while a layer uses it`);
      calls.push(`-source ${id}`);
      sources.delete(id);
    },
    hasImage: (id: string) => images.has(id),
    addImage: (id: string) => { calls.push(`image ${id}`); images.add(id); },
    removeImage: (id: string) => { calls.push(`-image ${id}`); images.delete(id); },
  };
  return { map: map as unknown as MaplibreMap, layers, calls };
}

const overlay: Overlay = {
  images: { hatch: { image: { width: 1, height: 1, data: new Uint8Array(4) } } },
  sources: { o: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } } },
  layers: [
    { id: 'o-fill', type: 'fill', source: 'o', beforeId: 'selected' },
    { id: 'o-line', type: 'line', source: 'o', beforeId: 'not-on-the-map' },
  ],
};

describe('map overlays', () => {
  it('adds images, sources, then layers in order, under the named layer when the map has it', () => {
    const { map, layers, calls } = fakeMap(['cells', 'selected']);
    addOverlay(map, overlay);
    expect(calls).toEqual(['image hatch', 'source o', 'layer o-fill before selected', 'layer o-line']);
    expect(layers).toEqual(['cells', 'o-fill', 'selected', 'o-line']);
  });

  it('adds nothing twice, and removes the layers before their source, leaving the map as it was', () => {
    const { map, layers, calls } = fakeMap(['cells', 'selected']);
    addOverlay(map, overlay);
    addOverlay(map, overlay);
    expect(calls.filter((c) => c.startsWith('layer')).length).toBe(2);
    calls.length = 0;
    removeOverlay(map, overlay);
    expect(calls).toEqual(['-layer o-line', '-layer o-fill', '-source o', '-image hatch']);
    expect(layers).toEqual(['cells', 'selected']);
  });

  it('does not throw when the map is gone', () => {
    const gone = { getLayer: () => { throw new Error('map removed'); } } as unknown as MaplibreMap;
    expect(() => removeOverlay(gone, overlay)).not.toThrow();
  });
});
