import { describe, expect, it } from 'vitest';
import { addEntry, changeRole, gapsIn, move, sameList, suggestedRole, toBody, type Entry, type Role } from './model.ts';

const roles: Role[] = [
  { code: 'first_responsible', zh: '第一责任人', en: 'First responsible', maxPerCell: 1, required: true },
  { code: 'chief', zh: '网格长', en: 'Chief' },
  { code: 'supervisor', zh: '监督员', en: 'Supervisor', minPerCell: 1, maxPerCell: 5 },
];
const person = (id: number, name = `P${id}`) => ({ id, name, phone: null, organisation: null, title: null });
const entry = (personId: number, role: string): Entry => ({ personId, role, name: `P${personId}`, phone: null, organisation: null, title: null });

describe('the assignments list being edited', () => {
  it('moves an item up and down, clamped at the ends', () => {
    const list = ['a', 'b', 'c'];
    expect(move(list, 2, 0)).toEqual(['c', 'a', 'b']);
    expect(move(list, 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(list, 0, -1)).toBe(list);
    expect(move(list, 2, 5)).toBe(list);
  });

  it('adds a person once per role, and refuses a role change that would list them twice', () => {
    const one = addEntry([], person(1), 'chief')!;
    expect(toBody(one)).toEqual([{ personId: 1, role: 'chief' }]);
    expect(addEntry(one, person(1), 'chief')).toBeNull();
    const two = addEntry(one, person(1), 'supervisor')!;
    expect(two).toHaveLength(2);
    expect(changeRole(two, 1, 'chief')).toBeNull();
    expect(toBody(changeRole(two, 1, 'first_responsible')!)).toEqual([{ personId: 1, role: 'chief' }, { personId: 1, role: 'first_responsible' }]);
  });

  it('tells a changed order from the saved one', () => {
    const saved = [entry(1, 'chief'), entry(2, 'supervisor')];
    expect(sameList(saved, [...saved])).toBe(true);
    expect(sameList(saved, move(saved, 1, 0))).toBe(false);
  });

  it('counts required roles and minimums as gaps, and suggests the first missing role', () => {
    expect(gapsIn(roles, []).map((g) => [g.role.code, g.needed, g.have])).toEqual([['first_responsible', 1, 0], ['supervisor', 1, 0]]);
    expect(suggestedRole(roles, [entry(1, 'first_responsible')])).toBe('supervisor');
    expect(suggestedRole(roles, [entry(1, 'first_responsible'), entry(2, 'supervisor')])).toBe('first_responsible');
  });
});
