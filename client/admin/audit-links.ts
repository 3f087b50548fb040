import { formatHash } from '../router.ts';
import type { AuditObject } from '../../core/contracts/audit.ts';

/** What an audit entry is about, with its current name (null when gone). */
export type { AuditObject } from '../../core/contracts/audit.ts';

/** Where an object opens in the app: a cell's card on the map, a report in the inbox, a unit's page, an account. */
export function objectHref(o: AuditObject): string | null {
  if (o.deleted) return null;
  if (o.type === 'cell') return formatHash('map', { cell: o.id });
  if (o.type === 'inspection' && o.cellId !== null) return formatHash('map', { cell: String(o.cellId) });
  if (o.type === 'report') return formatHash('reports', { report: o.id, state: 'all' });
  if (o.type === 'unit') return formatHash('units', { unit: o.id });
  if (o.type === 'user') return formatHash('admin', { user: o.id });
  return null;
}
