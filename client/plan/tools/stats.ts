import { useMemo } from 'react';
import type { Cell } from '../../api.ts';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../../map/overlay.ts';
import { CellIndex } from '../../../core/coverage/engine.ts';
import { draftStats, partsToGeometry, type DraftStats } from '../geometry.ts';
import type { PlanSession } from './session.ts';

const FAULTS = 'plan-faults';
const FAULTS_OVERLAY: Overlay = {
  sources: { [FAULTS]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    { id: `${FAULTS}-fill`, type: 'fill', source: FAULTS, paint: { 'fill-color': '#dc2626', 'fill-opacity': ['match', ['get', 'kind'], 'outside', 0.55, 0.35] } },
    { id: `${FAULTS}-line`, type: 'line', source: FAULTS, paint: { 'line-color': '#b91c1c', 'line-width': 1.5 } },
  ],
};

/**
 * Live feedback while a cell is drawn or reshaped (both tools use it): its area, the part outside
 * `parent` and the overlap with its siblings at `level`, with those parts red on the map, so the
 * planner sees what the server would refuse before saving.
 */
export function useDraftStats({ map, neighbours, edits: { edited }, base, finished, rev }: PlanSession, parent: Cell | null, level: number | null): DraftStats | null {
  // The siblings in a flatbush index, built once per neighbour load (the figures run on every change).
  const siblings = useMemo(() => new CellIndex(neighbours
    .filter((c) => c.properties.level === level && c.properties.parentId === (parent?.id ?? null) && c.id !== base?.id)
    .map((c) => ({ id: c.id, geometry: edited.get(c.id)?.geometry ?? c.geometry }))), [neighbours, edited, level, parent, base]);
  const stats = useMemo(() => {
    if (finished.length === 0) return null;
    try {
      return draftStats(partsToGeometry(finished), parent ? (edited.get(parent.id)?.geometry ?? parent.geometry) : null, siblings);
    } catch {
      return null;
    }
  }, [rev, siblings, edited, parent]); // eslint-disable-line react-hooks/exhaustive-deps

  useOverlay(map, FAULTS_OVERLAY);
  useSourceData(map, FAULTS, useMemo(() => ({ type: 'FeatureCollection', features: stats?.faults ?? [] }), [stats]));
  return stats;
}
