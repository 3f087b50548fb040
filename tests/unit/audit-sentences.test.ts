import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_SENTENCES, sentenceText, type AuditLang } from '../../core/audit/actions.ts';

/** Every `audit(q, request, 'code' | `code.${x}`, …)` call in the server, as written. */
function writtenCodes(): string[] {
  const codes: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/\baudit\(\s*\w+,\s*request,\s*(['`])([^'`]+)\1/g)) codes.push(m[2]!);
      }
    }
  };
  walk(join(import.meta.dirname, '../../server'));
  return codes;
}

const LANGS: AuditLang[] = ['zh-CN', 'en'];
const DETAIL = { changed: ['name', 'geometry'], into: [1, 2], merged: [3], cells: 4, photos: [5], imported: 6, rows: 7, skipped: 1, assigned: 8, peopleCreated: 2, failed: ['a'], distanceM: 12, date: '2026-12-04', kind: 'tianditu', username: 'zhang', role: 'planner', version: 3, file: 'a.geojson', number: '〔2026〕第 1 号', period: '2026-11', score: 88 };

describe('audit log sentences', () => {
  it('every action code the server writes is a known code', () => {
    const written = writtenCodes();
    expect(written.length).toBeGreaterThan(30);
    for (const code of written) {
      // A template (`report.${action}`) stands for the known codes that start the same way.
      const prefix = code.split('${')[0]!;
      const known = code.includes('${') ? AUDIT_ACTIONS.some((a) => a.startsWith(prefix)) : (AUDIT_ACTIONS as readonly string[]).includes(code);
      expect(known, `audit code ${code} has no entry in core/audit/actions.ts`).toBe(true);
    }
  });

  it.each(LANGS)('every action code reads as a whole sentence in %s', (lang) => {
    for (const action of AUDIT_ACTIONS) {
      const template = AUDIT_SENTENCES[lang][action];
      expect(template, `${lang} sentence for ${action}`).toBeTruthy();
      const text = sentenceText(action, DETAIL, lang, '张三', '和平社区第一网格');
      expect(text, `${lang} ${action}`).not.toMatch(/\{\w+\}|undefined|NaN/);
      if (template.includes('{object}')) expect(text).toContain('和平社区第一网格');
      if (lang === 'zh-CN') expect(text, action).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('says what changed in words', () => {
    expect(sentenceText('cell.update', { changed: ['geometry'] }, 'zh-CN', '张三', '和平社区第一网格')).toBe('张三 修改了网格 和平社区第一网格的边界');
    expect(sentenceText('cell.update', { changed: ['name', 'geometry'] }, 'en', 'Zhang San', 'Heping')).toBe('Zhang San changed the name and boundary of cell Heping');
    expect(sentenceText('report.verify', { event: 3 }, 'zh-CN', '王指挥', 'WG-1')).toBe('王指挥 核实了隐患 WG-1');
    expect(sentenceText('warning.notice', { number: '〔2026〕第 3 号', level: 'warning' }, 'zh-CN', '王指挥', '李四')).toBe('王指挥 向 李四 签发了预警通知书 〔2026〕第 3 号');
    expect(sentenceText('evaluation.democratic', { period: '2026-Q4', score: 88.5 }, 'en', 'Wang', 'West street')).toBe('Wang entered the democratic appraisal score 88.5 of cell West street for 2026-Q4');
  });
});
