/**
 * A flame graph (SVG) of a V8 CPU profile, such as the server writes with BENCH_CPU_PROFILE=dir:
 *
 *   BENCH_CPU_PROFILE=/tmp/prof npm run bench -- intake --db=postgres --quick
 *   npx tsx scripts/bench/flame.ts /tmp/prof/CPU.*.cpuprofile docs/images/intake-flame.svg "Intake, PostgreSQL"
 *
 * Each box is a function; its width is the share of the samples in which it was on the stack, and
 * the boxes above it are what it called. Frames of one function called from one place are merged
 * (a folded profile). Idle time is left out and named in the subtitle. Colours: Wangge's own code,
 * its libraries, Node's internals, the database engine in WebAssembly (PGlite), and V8 (GC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface Frame {
  name: string;
  kind: 'wangge' | 'library' | 'node' | 'wasm' | 'v8';
  /** Microseconds on the stack (this frame and what it called). */
  total: number;
  children: Frame[];
}

const HIDDEN = new Set(['(idle)', '(root)']);

function kindOf(f: CallFrame): Frame['kind'] {
  if (f.url.startsWith('wasm://') || f.functionName.startsWith('wasm-') || f.functionName.startsWith('js-to-wasm')) return 'wasm';
  if (f.url.includes('/node_modules/')) return 'library';
  if (f.url.startsWith('node:') || f.url === '') return f.functionName.startsWith('(') ? 'v8' : 'node';
  return 'wangge';
}

function label(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  const where = m ? m[1]! : f.url.startsWith('node:') ? f.url : path.basename(f.url);
  return `${name} (${where})`;
}

/** Folds the profile into a tree of frames weighted by sample time; idle time is returned apart. */
export function fold(profile: CpuProfile): { root: Frame; idle: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let idle = 0;
  const root: Frame = { name: 'all', kind: 'v8', total: 0, children: [] };
  // Walk the profile's tree; merge children that are the same function at the same place.
  const walk = (node: ProfileNode, into: Frame): number => {
    let total = self.get(node.id) ?? 0;
    for (const childId of node.children ?? []) {
      const child = byId.get(childId)!;
      if (child.callFrame.functionName === '(idle)') {
        idle += subtotal(child);
        continue;
      }
      const name = label(child.callFrame);
      let frame = into.children.find((c) => c.name === name);
      if (!frame) {
        frame = { name, kind: kindOf(child.callFrame), total: 0, children: [] };
        into.children.push(frame);
      }
      const t = walk(child, frame);
      frame.total += t;
      total += t;
    }
    return total;
  };
  const subtotal = (node: ProfileNode): number => (self.get(node.id) ?? 0) + (node.children ?? []).reduce((s, c) => s + subtotal(byId.get(c)!), 0);
  const top = profile.nodes.find((n) => HIDDEN.has(n.callFrame.functionName)) ?? profile.nodes[0]!;
  root.total = walk(top, root);
  const prune = (f: Frame) => {
    f.children = f.children.filter((c) => c.total > 0).sort((a, b) => a.name.localeCompare(b.name));
    f.children.forEach(prune);
  };
  prune(root);
  return { root, idle };
}

const COLOURS: Record<Frame['kind'], [number, number]> = {
  wangge: [10, 85], // hue, saturation: orange-red, as flame graphs are
  library: [38, 80],
  node: [200, 45],
  wasm: [270, 45],
  v8: [0, 0],
};

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The SVG of a folded profile: root at the bottom, callees above, 1 px = total / width. */
export function render(root: Frame, opts: { title: string; subtitle?: string; width?: number; rowHeight?: number; maxDepth?: number }): string {
  const width = opts.width ?? 1200;
  const row = opts.rowHeight ?? 16;
  // Stacks deeper than this (module loading, the database engine's own calls) are cut: too thin to read.
  const maxDepth = opts.maxDepth ?? 40;
  const depthOf = (f: Frame): number => 1 + Math.max(0, ...f.children.map(depthOf));
  const depth = Math.min(maxDepth, depthOf(root));
  const head = 48;
  const height = head + depth * row + 24;
  const scale = width / Math.max(1, root.total);
  const boxes: string[] = [];
  let n = 0;
  const draw = (f: Frame, x: number, level: number) => {
    const w = f.total * scale;
    if (w < 1 || level >= maxDepth) return; // thinner than a pixel: not drawn
    const y = height - 24 - (level + 1) * row;
    const [h, s] = COLOURS[f.kind];
    const l = 55 + ((n++ * 37) % 20); // neighbours differ a little in lightness
    const share = ((f.total / root.total) * 100).toFixed(1);
    const tip = `${f.name}: ${share}% (${(f.total / 1000).toFixed(0)} ms)`;
    const text = w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${(y + row - 4).toFixed(1)}">${escape(fit(`${f.name} ${share}%`, w))}</text>` : '';
    boxes.push(`<g><title>${escape(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${(w - 0.5).toFixed(1)}" height="${row - 1}" fill="hsl(${h},${s}%,${l}%)" data-total="${f.total}"/>${text}</g>`);
    let cx = x;
    for (const c of f.children) {
      draw(c, cx, level + 1);
      cx += c.total * scale;
    }
  };
  draw(root, 0, 0);
  const legend = (Object.keys(COLOURS) as Frame['kind'][]).map((k, i) => {
    const [h, s] = COLOURS[k];
    const names = { wangge: 'Wangge', library: 'libraries', node: 'Node.js', wasm: 'PGlite (WebAssembly)', v8: 'V8 / GC' };
    return `<rect x="${width - 640 + i * 128}" y="30" width="10" height="10" fill="hsl(${h},${s}%,62%)"/><text x="${width - 626 + i * 128}" y="39">${names[k]}</text>`;
  }).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="'Noto Sans CJK SC', 'DejaVu Sans', sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
<text x="4" y="18" font-size="15" font-weight="bold">${escape(opts.title)}</text>
<text x="4" y="38" fill="#555">${escape(opts.subtitle ?? '')}</text>
${legend}
${boxes.join('\n')}
<text x="4" y="${height - 6}" fill="#555">width = share of the server's busy samples; above = what it called. Hover a box for its name.</text>
</svg>
`;
}

/** Cuts a label to the box (about 6.2 px a character at 11 px). */
function fit(s: string, w: number): string {
  const max = Math.floor((w - 6) / 6.2);
  return s.length <= max ? s : max > 2 ? `${s.slice(0, max - 1)}…` : '';
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('flame.ts')) {
  const [input, output, title] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: tsx scripts/bench/flame.ts <profile.cpuprofile> <out.svg> [title]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(input, 'utf8')) as CpuProfile;
  const { root, idle } = fold(profile);
  const busy = root.total / 1000;
  const svg = render(root, {
    title: title ?? path.basename(input),
    subtitle: `${busy.toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle (${((idle / (idle + root.total)) * 100).toFixed(0)}%) · ${path.basename(input)}`,
  });
  writeFileSync(output, svg);
  console.log(`${output}: ${busy.toFixed(0)} ms busy in ${profile.samples.length} samples`);
}
