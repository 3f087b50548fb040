import { useEffect, useRef, useState } from 'react';
import { Map as MaplibreMap, type VectorTileSource, NavigationControl, ScaleControl, type ErrorEvent as MapErrorEvent, type LngLatBoundsLike, type MapGeoJSONFeature, type PointLike } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './worker.ts';
import { trackCellLabels } from './labels.ts';
import type { Bounds, ClientConfig } from '../api.ts';
import { useMapController } from './context.tsx';
import { useI18n } from '../i18n/index.tsx';
import { mapLocale, relabelMap } from './locale.ts';
import {
  CELLS_SOURCE,
  CELLS_SOURCE_LAYER,
  SELECTED_LAYERS,
  cellLayers,
  fillLayerId,
  keepFinestTint,
  ownStyle,
  BASEMAP_LAYERS,
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
  const { t, lang } = useI18n();
  const langRef = useRef(lang);
  langRef.current = lang;
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MaplibreMap | null>(null);
  const onSelectRef = useRef(onSelect);
  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);
  const controller = useMapController();
  const { clickOverride, setMap: publishMap, cellsVersion } = controller;
  const labelsRef = useRef<{ stop: () => void; reload: () => void } | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const m = new MaplibreMap({
      container,
      bounds: config.bounds ?? CHINA,
      fitBoundsOptions: { padding: FIT_PADDING },
      attributionControl: { compact: true },
      locale: mapLocale(langRef.current),
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
    m.on('click', (e) => {
      // A tool that takes clicks (drawing, placing a report) gets them instead of the cell selection.
      if (clickOverride.current) clickOverride.current(e);
      else onSelectRef.current((cellAt(e.point)?.id as number | undefined) ?? null);
    });

    let ready = false;
    let labelsSettled = false;
    const checkReady = () => {
      if (ready || !labelsSettled || !m.getSource(CELLS_SOURCE) || !m.isSourceLoaded(CELLS_SOURCE) || !m.loaded()) return;
      ready = true;
      const present = new Set(m.querySourceFeatures(CELLS_SOURCE, { sourceLayer: CELLS_SOURCE_LAYER }).map((f) => Number(f.properties.level)));
      keepFinestTint(m, config.levels, fit, present);
      setMap(m);
      publishMap(m);
      // Read by the end-to-end tests: the cells and their names are on screen.
      document.body.dataset.mapReady = '1';
    };
    m.on('idle', checkReady);
    const labels = trackCellLabels(m, config.levels, fit, () => {
      labelsSettled = true;
      checkReady();
    });
    labelsRef.current = labels;

    return () => {
      labels.stop();
      labelsRef.current = null;
      delete document.body.dataset.mapReady;
      if (window.__wanggeMap === m) delete window.__wanggeMap;
      setMap(null);
      publishMap(null);
      m.remove();
    };
  }, [config, clickOverride, publishMap]);

  // After an edit, fetch the cell tiles and labels again (the URL changes so no cached tile is reused).
  useEffect(() => {
    if (!map || cellsVersion === 0) return;
    const source = map.getSource<VectorTileSource>(CELLS_SOURCE);
    source?.setTiles([`${window.location.origin}/tiles/cells/{z}/{x}/{y}.mvt?v=${cellsVersion}`]);
    labelsRef.current?.reload();
  }, [map, cellsVersion]);

  useEffect(() => {
    if (map) relabelMap(map, lang);
  }, [map, lang]);

  useEffect(() => {
    if (!map) return;
    for (const id of SELECTED_LAYERS) map.setFilter(id, selectedFilter(selectedId));
  }, [map, selectedId]);

  useEffect(() => {
    if (map && focus) map.fitBounds(focus, { padding: 80, maxZoom: 16, duration: 600 });
  }, [map, focus]);

  // Tianditu's satellite view: its layers are in the style already, hidden until asked for.
  const [satellite, setSatellite] = useState(false);
  useEffect(() => {
    if (!map || !config.basemap.satelliteTiles) return;
    const apply = () => {
      for (const id of BASEMAP_LAYERS.map) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', satellite ? 'none' : 'visible');
      for (const id of BASEMAP_LAYERS.satellite) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', satellite ? 'visible' : 'none');
    };
    // Not isStyleLoaded(): it also waits for every source's tiles, and Tianditu's may never load.
    if (map.getLayer(BASEMAP_LAYERS.map[0])) apply();
    else map.once('style.load', apply);
  }, [map, satellite, config.basemap.satelliteTiles]);

  return (
    <div className="map-wrap">
      <div className="map" ref={containerRef} aria-label={t('map.label')} role="region" />
      {!map && <div className="map-status">{t('map.loading')}</div>}
      {map && config.basemap.satelliteTiles && (
        <button type="button" className="map-basemap-toggle" aria-pressed={satellite} onClick={() => setSatellite((s) => !s)} data-testid="basemap-satellite">
          {t(satellite ? 'map.basemapMap' : 'map.basemapSatellite')}
        </button>
      )}
    </div>
  );
}
