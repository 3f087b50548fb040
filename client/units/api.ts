import { api } from '../api.ts';

/** The API of server/units (routes.ts, history.ts, transfer.ts). */
export type { Unit, UnitEntry as Entry, UnitPage, Units, UnitType } from '../../core/contracts/units.ts';
import type { NewUnitBody, PointBody, Unit, UnitImportBody, UnitPage, UnitPatchBody, UnitRecordBody, Units, UnitType } from '../../core/contracts/units.ts';

export type { RowError, UnitImport as ImportResult } from '../../core/contracts/imports.ts';
import type { UnitImport as ImportResult } from '../../core/contracts/imports.ts';

export interface UnitInput {
  type: string;
  name: string;
  address: string | null;
  contact: string | null;
  attributes: Record<string, unknown>;
}

export const isArchived = (u: Unit) => typeof u.properties.archivedAt === 'string';
const ifMatch = (u: Unit) => ({ 'if-match': `"${u.properties.version}"` });
const point = (at: [number, number]): PointBody => ({ type: 'Point', coordinates: at });

export const unitsApi = {
  types: () => api<UnitType[]>('/api/unit-types'),
  list: (query: { cellId?: number | null; type?: string }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.cellId) params.set('cellId', String(query.cellId));
    if (query.type) params.set('type', query.type);
    return api<Units>(`/api/units?${params}`, { signal });
  },
  page: (id: number, signal?: AbortSignal) => api<UnitPage>(`/api/units/${id}/history`, { signal }),
  create: (at: [number, number], p: UnitInput) => api<Unit>('/api/units', { method: 'POST', body: { type: 'Feature', geometry: point(at), properties: p } satisfies NewUnitBody }),
  edit: (u: Unit, p: UnitInput) => api<Unit>(`/api/units/${u.id}`, { method: 'PATCH', headers: ifMatch(u), body: { properties: p } satisfies UnitPatchBody }),
  move: (u: Unit, at: [number, number]) => api<Unit>(`/api/units/${u.id}`, { method: 'PATCH', headers: ifMatch(u), body: { geometry: point(at) } satisfies UnitPatchBody }),
  archive: (u: Unit) => api<Unit>(`/api/units/${u.id}/archive`, { method: 'POST', headers: ifMatch(u) }),
  restore: (u: Unit) => api<Unit>(`/api/units/${u.id}/restore`, { method: 'POST', headers: ifMatch(u) }),
  addRecord: (id: number, r: UnitRecordBody) => api(`/api/units/${id}/records`, { method: 'POST', body: r }),
  importCsv: (csv: string, opts: { dryRun?: boolean; skipInvalid?: boolean }) =>
    api<ImportResult>(`/api/units/import${opts.dryRun ? '?dryRun=true' : ''}`, { method: 'POST', body: { csv, skipInvalid: opts.skipInvalid ?? false } satisfies UnitImportBody }),
};
