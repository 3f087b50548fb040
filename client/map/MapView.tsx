import { useEffect, useRef, useState } from 'react';
import { Map as MaplibreMap, NavigationControl, ScaleControl, type ErrorEvent as MapErrorEvent, type LngLatBoundsLike, type MapGeoJSONFeature, type PointLike } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './worker.ts';
import { trackCellLabels } from './labels.ts';
import type { Bounds, ClientConfig } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import {
  CELLS_SOURCE,
  CELLS_SOURCE_LAYER,
  SELECTED_LAYERS,
  cellLayers,
  fillLayerId,
  keepFinestTint,
  ownStyle,
  selectedFilter,
  withCells,
} from './style.ts';

declare global {
  interface Window {
    /** The map instance, read by the end-to-end tests (tests/e2e) to query rendered features. */
    __wanggeMap?: MaplibreMap;
  }
}

interface Props {
  config: ClientConfig;
  selectedId: number | null;
  /** Bounds to bring into view, e.g. after a selection in the tree; a new array each time. */
  focus: Bounds | null;
  onSelect: (id: number | null) => void;
}

const CHINA: LngLatBoundsLike = [73, 18, 135, 54];
const FIT_PADDING = 32;

/** The deepest (finest) cell among the features under a point. */
function deepest(features: MapGeoJSONFeature[]): MapGeoJSONFeature | undefined {
  let best: MapGeoJSONFeature | undefined;
  for (const f of features) {
    if (typeof f.id !== 'number') continue;
    if (!best || Number(f.properties.level) > Number(best.properties.level)) best = f;
  }
  return best;
}

/** The full-window map of the grid cells, drawn from the vector tiles. */
export function MapView({ config, selectedId, focus, onSelect }: Props) {
  const { t } = useI18n();
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MaplibreMap | null>(null);
  const onSelectRef = useRef(onSelect);
  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const m = new MaplibreMap({
      container,
      bounds: config.bounds ?? CHINA,
      fitBoundsOptions: { padding: FIT_PADDING },
      attributionControl: { compact: true },
      // Chinese names are drawn with the browser's own fonts; no glyph server is needed.
      localIdeographFontFamily: "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif",
    });
    window.__wanggeMap = m;
    const { clientWidth, clientHeight } = container;
    const fit = { zoom: m.getZoom(), size: Math.max(Math.min(clientWidth, clientHeight) - 2 * FIT_PADDING, 100) };
    const layers = cellLayers(config.levels, fit);
    const { styleUrl } = config.basemap;
    const own = ownStyle(config.basemap, config.bounds, layers);
    if (styleUrl) {
      m.setStyle(styleUrl, { transformStyle: (_previous, next) => withCells(next, config.bounds, layers) });
      // A basemap style that cannot be loaded (offline, moved) must not cost the map its cells.
      const fallBack = (e: MapErrorEvent) => {
        if (m.isStyleLoaded()) return;
        m.off('error', fallBack);
        console.warn(`basemap style ${styleUrl} could not be loaded, using the plain map instead:`, e.error.message);
        m.setStyle(own);
      };
      m.on('error', fallBack);
      m.once('style.load', () => m.off('error', fallBack));
    } else {
      m.setStyle(own);
    }
    m.addControl(new NavigationControl({ visualizePitch: false }), 'top-right');
    m.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');

    const fillLayers = config.levels.map((l) => fillLayerId(l.level));
    const cellAt = (point: PointLike) =>
      deepest(m.queryRenderedFeatures(point, { layers: fillLayers.filter((id) => m.getLayer(id)) }));

    let hoveredId: number | null = null;
    const setHover = (id: number | null) => {
      if (id === hoveredId) return;
      if (hoveredId !== null) m.setFeatureState({ source: CELLS_SOURCE, sourceLayer: CELLS_SOURCE_LAYER, id: hoveredId }, { hover: false });
      hoveredId = id;
      if (id !== null) m.setFeatureState({ source: CELLS_SOURCE, sourceLayer: CELLS_SOURCE_LAYER, id }, { hover: true });
      m.getCanvas().style.cursor = id === null ? '' : 'pointer';
    };
    m.on('mousemove', (e) => setHover((cellAt(e.point)?.id as number | undefined) ?? null));
    m.on('mouseout', () => setHover(null));
    m.on('click', (e) => onSelectRef.current((cellAt(e.point)?.id as number | undefined) ?? null));

    let ready = false;
    let labelsSettled = false;
    const checkReady = () => {
      if (ready || !labelsSettled || !m.getSource(CELLS_SOURCE) || !m.isSourceLoaded(CELLS_SOURCE) || !m.loaded()) return;
      ready = true;
      const present = new Set(m.querySourceFeatures(CELLS_SOURCE, { sourceLayer: CELLS_SOURCE_LAYER }).map((f) => Number(f.properties.level)));
      keepFinestTint(m, config.levels, fit, present);
      setMap(m);
      // Read by the end-to-end tests: the cells and their names are on screen.
      document.body.dataset.mapReady = '1';
    };
    m.on('idle', checkReady);
    const stopLabels = trackCellLabels(m, config.levels, fit, () => {
      labelsSettled = true;
      checkReady();
    });

    return () => {
      stopLabels();
      delete document.body.dataset.mapReady;
      if (window.__wanggeMap === m) delete window.__wanggeMap;
      setMap(null);
      m.remove();
    };
  }, [config]);

  useEffect(() => {
    if (!map) return;
    for (const id of SELECTED_LAYERS) map.setFilter(id, selectedFilter(selectedId));
  }, [map, selectedId]);

  useEffect(() => {
    if (map && focus) map.fitBounds(focus, { padding: 80, maxZoom: 16, duration: 600 });
  }, [map, focus]);

  return (
    <div className="map-wrap">
      <div className="map" ref={containerRef} aria-label={t('map.label')} role="region" />
      {!map && <div className="map-status">{t('map.loading')}</div>}
    </div>
  );
}
