import { describe, expect, it } from 'vitest';
import { describeProblem, problemCatalog, problemDomains, problemText } from './index.ts';
import { placeholders } from './define.ts';
import { importRowProblems } from './imports.ts';

describe('the problem catalog', () => {
  const entries = Object.entries(problemCatalog);

  it.each(entries)('%s has a text in zh-CN and en with the same placeholders', (_code, def) => {
    expect(def.zh.trim()).not.toBe('');
    expect(def.en.trim()).not.toBe('');
    expect(/[\u4e00-\u9fff]/.test(def.zh), 'the zh-CN text is Chinese').toBe(true);
    expect(new Set(placeholders(def.zh))).toEqual(new Set(placeholders(def.en)));
    expect(def.status).toBeGreaterThanOrEqual(400);
    expect(def.status).toBeLessThan(600);
  });

  it('defines each code in one domain only', () => {
    const all = problemDomains.flatMap((d) => Object.keys(d));
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([]);
    expect(all.length).toBe(Object.keys(problemCatalog).length);
  });

  it('codes are dotted names (a JSON-schema keyword keeps its case)', () => {
    for (const code of Object.keys(problemCatalog)) expect(code).toMatch(/^[a-z0-9]+(\.[a-zA-Z0-9-]+)+$/);
  });

  it('names each kind of geometry fault by its own code, read as "invalid geometry" in both languages', () => {
    const codes = Object.keys(problemCatalog).filter((c) => c.startsWith('cells.geometry-'));
    expect(codes.sort()).toEqual([
      'cells.geometry-duplicate-rings', 'cells.geometry-empty', 'cells.geometry-hole-outside-shell', 'cells.geometry-holes-nested',
      'cells.geometry-interior-disconnected', 'cells.geometry-invalid', 'cells.geometry-invalid-coordinate', 'cells.geometry-nested-shells',
      'cells.geometry-no-polygons', 'cells.geometry-no-rings', 'cells.geometry-open-ring', 'cells.geometry-position-not-finite',
      'cells.geometry-position-not-numbers', 'cells.geometry-position-out-of-range', 'cells.geometry-ring-not-array', 'cells.geometry-ring-not-closed',
      'cells.geometry-ring-self-intersection', 'cells.geometry-ring-too-short', 'cells.geometry-self-intersection', 'cells.geometry-too-few-points',
    ]);
    for (const code of codes) {
      const def = problemCatalog[code as keyof typeof problemCatalog];
      // The field's message is the English after this prefix (server/cells/geometry.ts).
      expect(def.en, code).toMatch(/^Invalid geometry(\{whose\})?: /);
      expect(def.zh, code).toMatch(/^几何图形无效(\{whose\})?：/);
    }
    const place = { en: 'polygon 1, ring 0', zh: '第 2 部分的外边界' };
    expect(problemText('cells.geometry-ring-too-short', { whose: '', place, count: 3 }, 'en')).toBe('Invalid geometry: polygon 1, ring 0 has 3 positions; a ring needs at least 4');
    expect(problemText('cells.geometry-ring-too-short', { whose: '', place, count: 3 }, 'zh-CN')).toMatch(/^几何图形无效：第 2 部分的外边界只有 3 个坐标/);
  });

  it('names each problem of a boundary file\'s preview by its own code, with the preview\'s English and a Chinese text', () => {
    const codes = Object.keys(importRowProblems).sort();
    for (const code of codes) expect(problemCatalog).toHaveProperty([code]);
    expect(codes).toEqual([
      'imports.file-epsg-unsupported', 'imports.file-not-lonlat', 'imports.file-not-lonlat-undeclared', 'imports.file-parent-not-found',
      'imports.note-cpg-missing-gbk', 'imports.note-cpg-missing-ldid', 'imports.note-cpg-missing-utf8', 'imports.note-crs-unknown',
      'imports.note-gpkg-crs-unknown', 'imports.note-gpkg-tables-many', 'imports.note-prj-unreadable', 'imports.note-shapefiles-many',
      'imports.row-code-duplicate', 'imports.row-code-missing', 'imports.row-code-taken', 'imports.row-codes-exhausted',
      'imports.row-coordinates-unconvertible', 'imports.row-geometry-unprocessable', 'imports.row-level-misfit', 'imports.row-level-not-integer',
      'imports.row-level-unknown', 'imports.row-name-empty', 'imports.row-name-too-long', 'imports.row-name-unmapped', 'imports.row-no-geometry',
      'imports.row-not-polygon', 'imports.row-outside', 'imports.row-outside-unchecked', 'imports.row-outside-unmeasured', 'imports.row-overlaps',
      'imports.row-overlaps-unchecked', 'imports.row-parent-missing', 'imports.row-parent-not-found', 'imports.row-scope-outside', 'imports.row-scope-top-level',
    ]);
    const row = { code: 'imports.row-parent-not-found', params: { parent: '610302999999' } };
    expect(problemText(row.code, row.params, 'en')).toBe('the parent 610302999999 is neither in the file nor among the cells');
    expect(problemText(row.code, row.params, 'zh-CN')).toBe('上级 610302999999 既不在文件中，也不在已有网格中');
    expect(problemText('imports.row-level-misfit', { level: 3, parentLevel: 3, expected: 4 }, 'zh-CN')).toBe('层级 3 与第 3 级上级不符：应为 4');
    expect(problemText('imports.row-name-too-long', { length: 201, max: 200 }, 'zh-CN')).toBe('名称有 201 个字符，网格名称最多 200 个字符');
  });

  it('fills parameters, including ones given in both languages', () => {
    const role = { zh: '网格员', en: 'grid worker' };
    expect(problemText('auth.role-forbidden', { role, permission: 'cells.edit' }, 'zh-CN')).toBe('当前角色（网格员）无权执行此操作（cells.edit）');
    expect(problemText('auth.role-forbidden', { role, permission: 'cells.edit' }, 'en')).toBe('The role "grid worker" may not do this (cells.edit)');
  });

  it('describes an invalid request field by field, and an unknown code by its detail', () => {
    const body = {
      code: 'request.invalid',
      errors: [
        { field: 'body.coordinates', message: 'must NOT have fewer than 2 items', code: 'schema.minItems', params: { limit: 2 } },
        { field: 'body.x', message: 'odd' },
      ],
    };
    expect(describeProblem(body, 'zh-CN')).toBe('body.coordinates 至少需要 2 项；body.x odd');
    expect(describeProblem({ code: 'no.such-code', detail: 'as the server said' }, 'zh-CN')).toBe('as the server said');
  });
});
