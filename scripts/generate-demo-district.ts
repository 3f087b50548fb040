/**
 * Writes data/demo/weibin.geojson, the demo grid hierarchy of 渭滨区 (see scripts/demo-district.ts).
 * Usage: npx tsx scripts/generate-demo-district.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoDistrict, serializeDemoDistrict, type DemoStats } from './demo-district.ts';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/demo/weibin.geojson');
const stats: DemoStats = { snapped: 0, inserted: 0, multipart: [] };
const fc = generateDemoDistrict(stats);
const text = serializeDemoDistrict(fc);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, text);

const perLevel = [1, 2, 3, 4].map((l) => fc.features.filter((f) => f.properties.level === l).length);
console.log(`wrote ${path.relative(process.cwd(), out)}: ${perLevel.join(' / ')} cells per level, ${Buffer.byteLength(text)} bytes`);
console.log(`noding: ${stats.snapped} vertices snapped, ${stats.inserted} inserted into shared edges; multipart cells: ${stats.multipart.join(', ') || 'none'}`);
