import {
  TerraDraw,
  TerraDrawLineStringMode,
  TerraDrawModeUndoRedo,
  TerraDrawPolygonMode,
  TerraDrawSelectMode,
  type GeoJSONStoreFeatures,
  type SnapToCustom,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { Map as MaplibreMap } from 'maplibre-gl';
import type { LineString, Polygon } from 'geojson';

type FeatureId = string | number;
import { snapPosition, type SnapTarget } from './geometry.ts';

/** How close (in pixels) the pointer must come to a neighbour's vertex or edge to snap to it. */
export const SNAP_PX = 10;

const DRAFT = '#ea580c';
const DRAFT_EDGE = '#c2410c';
const WHITE = '#ffffff';

export interface PlanDraw {
  draw: TerraDraw;
  /** The targets drawing snaps to (neighbouring cells), replaced as the view moves. */
  setSnapTargets: (targets: SnapTarget[]) => void;
  /** Whether snapping is on. */
  setSnapping: (on: boolean) => void;
  stop: () => void;
}

/** The drawn polygons (finished or being drawn) and lines in the store, without guidance points. */
export function drawnFeatures(draw: TerraDraw): GeoJSONStoreFeatures[] {
  return draw.getSnapshot().filter((f) => f.geometry.type === 'Polygon' || f.geometry.type === 'LineString');
}

/** The geometries of the drawn features by id: one undo step of shape editing. */
export type Snapshot = Map<FeatureId, Polygon | LineString>;

export function snapshot(draw: TerraDraw): Snapshot {
  return new Map(drawnFeatures(draw).map((f) => [f.id!, structuredClone(f.geometry) as Polygon | LineString]));
}

/** Puts the drawn features back as they were in `snap`, keeping the selection (with fresh vertex handles). */
export function restoreSnapshot(draw: TerraDraw, snap: Snapshot) {
  for (const [id, geometry] of snap) {
    if (!draw.hasFeature(id)) continue;
    const selected = Boolean(draw.getSnapshotFeature(id)?.properties.selected);
    if (selected) draw.deselectFeature(id);
    draw.updateFeatureGeometry(id, structuredClone(geometry));
    if (selected) draw.selectFeature(id);
  }
}

export const polygonsOf = (draw: TerraDraw) => drawnFeatures(draw).filter((f) => f.geometry.type === 'Polygon').map((f) => f.geometry as Polygon);
export const linesOf = (draw: TerraDraw) => drawnFeatures(draw).filter((f) => f.geometry.type === 'LineString').map((f) => f.geometry as LineString);
export const isDrawing = (f: GeoJSONStoreFeatures) => Boolean(f.properties.currentlyDrawing);

/**
 * terra-draw on the map with the three modes the planner needs: polygon (new cells), linestring
 * (split lines) and select (vertex editing: drag, insert at midpoints, delete with a right-click).
 * Every mode snaps to the vertices and edges of the neighbouring cells through `toCustom`.
 * `movable`: a finished polygon can be dragged whole (a new cell, placed before it is saved).
 */
export function createPlanDraw(map: MaplibreMap, { movable = false } = {}): PlanDraw {
  let targets: SnapTarget[] = [];
  let snapping = true;
  const toCustom: SnapToCustom = (event, context) => {
    if (!snapping || targets.length === 0) return undefined;
    // The tolerance in degrees, only to skip far targets cheaply.
    const here = context.unproject(event.containerX, event.containerY);
    const there = context.unproject(event.containerX + SNAP_PX * 2, event.containerY + SNAP_PX * 2);
    const slack = Math.max(Math.abs(there.lng - here.lng), Math.abs(there.lat - here.lat));
    return snapPosition([event.lng, event.lat], targets, context.project, SNAP_PX, slack)?.position;
  };
  const snappingOptions = { toCustom };
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, prefixId: 'plan-td', coordinatePrecision: 9 }),
    modes: [
      new TerraDrawPolygonMode({
        snapping: snappingOptions,
        keyEvents: { cancel: null, finish: 'Enter' },
        styles: {
          fillColor: DRAFT,
          fillOpacity: 0.18,
          outlineColor: DRAFT,
          outlineWidth: 2.5,
          closingPointColor: WHITE,
          closingPointOutlineColor: DRAFT_EDGE,
          closingPointOutlineWidth: 2,
          closingPointWidth: 6,
          snappingPointColor: '#16a34a',
          snappingPointOutlineColor: WHITE,
          snappingPointOutlineWidth: 2,
          snappingPointWidth: 6,
        },
      }),
      new TerraDrawLineStringMode({
        snapping: snappingOptions,
        keyEvents: { cancel: null, finish: 'Enter' },
        styles: { lineStringColor: '#7c3aed', lineStringWidth: 3, closingPointColor: WHITE, closingPointOutlineColor: '#7c3aed', closingPointOutlineWidth: 2, closingPointWidth: 6, snappingPointColor: '#16a34a', snappingPointWidth: 6 },
      }),
      new TerraDrawSelectMode({
        allowManualDeselection: false,
        keyEvents: null,
        flags: {
          polygon: { feature: { draggable: movable, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snappingOptions } } },
          linestring: { feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snappingOptions } } },
        },
        styles: {
          selectedPolygonColor: DRAFT,
          selectedPolygonFillOpacity: 0.18,
          selectedPolygonOutlineColor: DRAFT,
          selectedPolygonOutlineWidth: 2.5,
          selectedLineStringColor: '#7c3aed',
          selectedLineStringWidth: 3,
          selectionPointColor: WHITE,
          selectionPointOutlineColor: DRAFT_EDGE,
          selectionPointOutlineWidth: 2,
          selectionPointWidth: 5,
          midPointColor: DRAFT,
          midPointOutlineColor: WHITE,
          midPointOutlineWidth: 1,
          midPointWidth: 3,
        },
      }),
    ],
    // Points while drawing; edits of finished shapes are undone from snapshots (EditStack).
    undoRedo: { modeLevel: new TerraDrawModeUndoRedo() },
  });
  draw.start();
  draw.setMode('static');
  return {
    draw,
    setSnapTargets: (t) => {
      targets = t;
    },
    setSnapping: (on) => {
      snapping = on;
    },
    stop: () => {
      if (draw.enabled) draw.stop();
    },
  };
}
