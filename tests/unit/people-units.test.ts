import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSIGNMENT_ROLES } from '../../server/config.ts';
import { maskPhone, normalizePhone } from '../../server/people/phone.ts';
import { findRole, gapsOf, maxViolations } from '../../core/people/rules.ts';
import { parseWktPoint } from '../../server/units/transfer.ts';

describe('phones', () => {
  it('normalises the ways people type one number to one form', () => {
    for (const typed of ['13812345678', '138 1234 5678', '138-1234-5678', '+86 138 1234 5678', '0086-13812345678']) {
      expect(normalizePhone(typed)).toBe('13812345678');
    }
    expect(normalizePhone('(0917) 321-4567')).toBe('09173214567');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizePhone('call me')).toBeNull();
    expect(normalizePhone('12')).toBeNull();
  });

  it('masks the middle of a number, keeping enough to recognise it', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('09173214567')).toBe('091****4567');
    expect(maskPhone('+8613812345678')).toBe('+86*******5678');
    // Short numbers never show most of their digits (a landline keeps its last quarter at most).
    expect(maskPhone('88123456')).toBe('******56');
    expect(maskPhone('0917321456')).toBe('********56');
    expect(maskPhone('12345')).toBe('****5');
    expect(maskPhone('110')).toBe('***');
  });
});

describe('role rules', () => {
  const roles = DEFAULT_ASSIGNMENT_ROLES;
  it('names the rule a list breaks', () => {
    expect(maxViolations(roles, [{ role: 'first_responsible' }, { role: 'first_responsible' }]).map((v) => v.message))
      .toEqual(['At most 1 第一责任人 (first_responsible) per cell: 2 given']);
    expect(maxViolations(roles, Array(5).fill({ role: 'supervisor' }))).toEqual([]);
    expect(maxViolations(roles, Array(6).fill({ role: 'supervisor' }))[0]).toMatchObject({ role: 'supervisor', max: 5, given: 6 });
    expect(maxViolations(roles, Array(9).fill({ role: 'assistant' }))).toEqual([]);
  });

  it('reports a missing required role and too few supervisors as gaps', () => {
    expect(gapsOf(roles, {}).map((g) => [g.role, g.needed, g.have])).toEqual([['first_responsible', 1, 0], ['supervisor', 1, 0]]);
    expect(gapsOf(roles, { first_responsible: 1, supervisor: 2 })).toEqual([]);
    expect(gapsOf([{ code: 'supervisor', zh: '监督员', en: 'Supervisor', minPerCell: 3 }], { supervisor: 2 })).toEqual([{ role: 'supervisor', zh: '监督员', en: 'Supervisor', needed: 3, have: 2 }]);
  });

  it('finds a role by code or by its Chinese or English name', () => {
    expect(findRole(roles, '监督员')?.code).toBe('supervisor');
    expect(findRole(roles, ' First responsible ')?.code).toBe('first_responsible');
    expect(findRole(roles, 'INFO_OFFICER')?.code).toBe('info_officer');
    expect(findRole(roles, '市长')).toBeUndefined();
  });
});

describe('WKT points', () => {
  it('reads POINT, POINT Z and EWKT in WGS 84 or CGCS2000; refuses other shapes and frames', () => {
    expect(parseWktPoint('POINT(107.1 34.2)')).toEqual([107.1, 34.2]);
    expect(parseWktPoint(' point z (107 34 500) ')).toEqual([107, 34]);
    expect(parseWktPoint('SRID=4490;POINT (-1.5e1 .5)')).toEqual([-15, 0.5]);
    expect(parseWktPoint('SRID=3857;POINT(1 2)')).toMatch(/SRID 3857 is not supported/);
    expect(parseWktPoint('LINESTRING(1 2, 3 4)')).toMatch(/not a WKT POINT/);
  });
});
