/**
 * Deterministic randomness for the demo: the same seed gives the same district, people and history
 * (mulberry32, a small, well-known 32-bit generator; good enough for fake data, not for secrets).
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** Picks by weight: [[value, weight], …]. */
  weighted<T>(list: readonly (readonly [T, number])[]): T {
    const total = list.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of list) {
      r -= w;
      if (r < 0) return v;
    }
    return list[list.length - 1]![0];
  }

  /** A positive duration around `median` with a long tail (log-normal, sigma 0.8). */
  around(median: number): number {
    const u = Math.max(this.next(), 1e-9);
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(0.8 * z);
  }
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强海燕红梅晓东文博子涵雨萱浩然欣怡俊杰佳怡宇航思远丽华春生秋菊建军卫东保平宏伟永刚金凤';

/** A plausible Chinese name: a common surname and one or two given characters. */
export function personName(rng: Rng): string {
  const surname = rng.pick([...SURNAMES]);
  const given = [...GIVEN];
  return surname + rng.pick(given) + (rng.chance(0.7) ? rng.pick(given) : '');
}

/**
 * Demo phones: 11 digits starting 100, a prefix no mainland carrier allocates (mobiles start 13–19,
 * 100xx are carrier service codes), so no demo number can reach anyone. Sequential, hence unique.
 */
export function demoPhone(seq: number): string {
  return `100${String(seq % 1e8).padStart(8, '0')}`;
}

/** Roads of the demo district (渭滨区, Baoji), for unit addresses. */
export const DEMO_ROADS = ['经二路', '经一路', '红旗路', '宝光路', '清姜路', '姜谭路', '高新大道', '滨河南路', '石鼓路', '建国路', '公园路', '新华路', '大庆路', '桥南路', '神农路', '火炬路', '汉中路', '渭工路'];
