import { describe, expect, it } from 'vitest';
import { objectHref, type AuditObject } from './audit-links.ts';
import { parseHash } from '../router.ts';

const object = (type: string, id: string, extra: Partial<AuditObject> = {}): AuditObject => ({ type, id, name: 'x', formerName: null, deleted: false, cellId: null, ...extra });

describe('links from the audit log', () => {
  it('open each object where the app shows it', () => {
    const route = (o: AuditObject) => {
      const { view, params } = parseHash(objectHref(o)!);
      return { view, ...Object.fromEntries(params) };
    };
    expect(route(object('cell', '44'))).toEqual({ view: 'map', cell: '44' });
    expect(route(object('report', '7'))).toEqual({ view: 'reports', report: '7', state: 'all' });
    expect(route(object('unit', '3'))).toEqual({ view: 'units', unit: '3' });
    expect(route(object('user', '2'))).toEqual({ view: 'admin', user: '2' });
    // A patrol opens the cell it patrolled.
    expect(route(object('inspection', '9', { cellId: 44 }))).toEqual({ view: 'map', cell: '44' });
  });

  it('give no link to what is gone or has no page', () => {
    expect(objectHref(object('cell', '44', { deleted: true, name: null }))).toBeNull();
    expect(objectHref(object('token', '1'))).toBeNull();
    expect(objectHref(object('settings', 'basemap'))).toBeNull();
  });
});
