/**
 * The server names a refused edit in English (problem+json `detail`); planners read Chinese. The
 * faults a planner meets while drawing are put into their language here, with the server's own
 * words kept after them (they carry the exact place and figures). Unknown faults pass unchanged.
 */
type Rule = [RegExp, (m: RegExpMatchArray) => string];

const ZH: Rule[] = [
  [/not inside its parent: ([\d.]+) m² lie outside/, (m) => `网格超出上级网格 ${m[1]} 平方米，请把超出部分收回到上级网格内。`],
  [/Self-intersection|Ring Self-intersection/i, () => '边界自相交（出现“8”字形或交叉），请拖动顶点消除交叉。'],
  [/is not closed/, () => '边界未闭合。'],
  [/a ring needs at least 4/, () => '边界至少需要 3 个不同的顶点。'],
  [/Hole lies outside shell|Interior is disconnected|Nested shells|Too few points/i, () => '几何图形无效（内洞或分块位置不正确）。'],
  [/out of range/, () => '坐标超出经纬度范围。'],
  [/does not cut the cell/, () => '拆分线没有把网格分成两部分：请从网格外画线，穿过网格，到网格外结束。'],
  [/do not share a border/, () => '所选网格之间没有共同边界，不能合并。'],
  [/Only cells with the same parent/, () => '只能合并同一上级网格下的网格。'],
  [/has (\d+) child cells/, (m) => `该网格下有 ${m[1]} 个下级网格：请先合并、移走或删除它们。`],
  [/The code (\S+) is taken/, (m) => `编码 ${m[1]} 已被使用。`],
  [/Changed by someone else meanwhile/, () => '保存期间有网格被他人修改。'],
  [/outside your scope|not in your scope|Forbidden/i, () => '该网格不在你的管辖范围内。'],
  [/containment check failed|overlay failed/, () => '无法核对是否位于上级网格内：请简化共享边界附近的轮廓后重试。'],
];

/** The refusal in the planner's language, with the server's wording after it. */
export function explainFault(detail: string, lang: 'zh-CN' | 'en'): string {
  if (lang === 'en') return detail;
  for (const [pattern, say] of ZH) {
    const m = detail.match(pattern);
    if (m) return `${say(m)}\n（${detail}）`;
  }
  return detail;
}
