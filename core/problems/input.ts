import { defineProblems } from './define.ts';

/** Values refused before any route sees them (server/input-guard.ts): they could only fail deeper down. */
export const inputProblems = defineProblems({
  'input.number': { status: 400, en: '{field} must be a finite number between -2^53 and 2^53 (and not -0)', zh: '{field} 必须是 -2^53 到 2^53 之间的有限数值（不能是 -0）' },
  'input.text': { status: 400, en: '{field} contains a NUL character or an unpaired surrogate', zh: '{field} 含有空字符（NUL）或不成对的代理字符' },
  'input.too-deep': { status: 400, en: 'The JSON body is nested deeper than {limit} levels', zh: 'JSON 请求内容的嵌套层数超过 {limit} 层' },
});
