import { describe, expect, it } from 'vitest';
import { fold, render, type CpuProfile } from '../../scripts/bench/flame.ts';

// A profile as V8 writes it: (root) → main → {handler → query, serialise}, plus idle time.
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 1 }, children });
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 6]),
    frame(2, 'main', 'file:///work/main/dist/server/main.mjs', [3, 5]),
    frame(3, 'handler', 'file:///work/main/dist/server/app.mjs', [4]),
    frame(4, 'query', 'file:///work/main/node_modules/pg/lib/client.js'),
    frame(5, 'serialise', 'file:///work/main/node_modules/fast-json-stringify/index.js'),
    frame(6, '(idle)', ''),
  ],
  // 3 samples in query, 1 in handler itself, 2 in serialise, 4 idle; 1 ms each.
  samples: [4, 4, 4, 3, 5, 5, 6, 6, 6, 6],
  timeDeltas: Array(10).fill(1000),
};

describe('flame graph of a CPU profile', () => {
  it('weights each function by the samples it was on the stack in, and sets idle time apart', () => {
    const { root, idle } = fold(profile);
    expect(idle).toBe(4000);
    expect(root.total).toBe(6000);
    const main = root.children[0]!;
    expect(main).toMatchObject({ name: 'main (main.mjs)', kind: 'wangge', total: 6000 });
    const handler = main.children.find((c) => c.name.startsWith('handler'))!;
    expect(handler.total).toBe(4000);
    expect(handler.children[0]).toMatchObject({ name: 'query (pg)', kind: 'library', total: 3000 });
  });

  it('draws boxes as wide as their share, callees above their callers', () => {
    const svg = render(fold(profile).root, { title: 'Intake <test>', width: 600 });
    expect(svg).toContain('Intake &lt;test&gt;');
    const box = (name: string) => {
      const m = new RegExp(`<title>${name}[^<]*</title><rect x="([\\d.]+)" y="(\\d+)" width="([\\d.]+)"`).exec(svg);
      if (!m) throw new Error(`no box for ${name}`);
      return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]) };
    };
    expect(box('main').w).toBeCloseTo(600 - 0.5, 0);
    expect(box('handler').w).toBeCloseTo(400 - 0.5, 0);
    expect(box('query').w).toBeCloseTo(300 - 0.5, 0);
    expect(box('query').y).toBeLessThan(box('handler').y);
    expect(box('serialise').x).toBeCloseTo(400, 0);
  });
});
