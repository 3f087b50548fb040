import type { FeatureCollection, MultiPolygon, Point } from 'geojson';
import { api } from '../api.ts';

export type {
  CadenceStatus, CellPlan, ChecklistEntry, ChecklistItem, Coverage, CoverageCell, CoverageUnit, Inspection, PlanState,
} from '../../core/contracts/patrols.ts';
import type { CadenceStatus, CellPlan, Coverage, Inspection, StartInspectionBody, Visit as VisitAnswer } from '../../core/contracts/patrols.ts';

/** What the patrol panel shows of a visit: a check-in still in the outbox stands in as one too. */
export type Visit = Pick<VisitAnswer, 'id' | 'unitId' | 'unitName' | 'unitType' | 'at' | 'locationSource' | 'distanceM' | 'far' | 'checklistItems' | 'checklist' | 'result' | 'findings'>;

export interface CoverageMap {
  level: number;
  cells: FeatureCollection<MultiPolygon, { code: string; name: string; pctInspected: number | null; patrolStatus: CadenceStatus | null }>;
  units: FeatureCollection<Point, { name: string; status: CadenceStatus }>;
}
export type { TrackPoint } from '../../core/contracts/patrols.ts';
export interface ReportCategory { code: string; zh: string; en: string }

export interface FarCheckIns {
  thresholdM: number;
  items: { visitId: number; inspectionId: number; at: string; inspector: string; unitId: number | null; unitName: string; cellId: number | null; cellName: string | null; distanceM: number }[];
}

export const patrolApi = {
  openPatrols: (signal?: AbortSignal) => api<{ items: { id: number }[] }>('/api/inspections?mine=true&open=true', { signal }),
  inspection: (id: number, signal?: AbortSignal) => api<Inspection>(`/api/inspections/${id}`, { signal }),
  start: (cellId: number) => api<Inspection>('/api/inspections', { method: 'POST', body: { cellId } satisfies StartInspectionBody }),
  // Check-ins, checklists, findings, track points and the finish go through the outbox (client/offline/outbox.ts).
  coverage: (query: URLSearchParams, signal?: AbortSignal) => api<Coverage>(`/api/inspections/coverage?${query}`, { signal }),
  coverageMap: (query: URLSearchParams, signal?: AbortSignal) => api<CoverageMap>(`/api/inspections/coverage/map?${query}`, { signal }),
  farCheckIns: (query: URLSearchParams, signal?: AbortSignal) => api<FarCheckIns>(`/api/inspections/far-check-ins?${query}`, { signal }),
  cellPlan: (cellId: number, signal?: AbortSignal) => api<CellPlan>(`/api/plans/cells/${cellId}`, { signal }),
  categories: (signal?: AbortSignal) => api<{ categories: ReportCategory[] }>('/api/reports/config', { signal }),
};
