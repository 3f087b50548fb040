/**
 * Fixture tests, the Turf way: each test/in/NAME.geojson (a parent feature with properties.role
 * "parent", its children, options such as sliverWidthM in the collection's properties) is analysed
 * and the report compared with test/out/NAME.json. UPDATE=1 rewrites the outs: check them by eye
 * (or on geojson.io) before committing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseCoverage, type Areal, type CoverageTolerance } from './engine.ts';
import type { Feature, FeatureCollection } from 'geojson';

const IN = new URL('./test/in/', import.meta.url);
const OUT = new URL('./test/out/', import.meta.url);

type Fixture = FeatureCollection<Areal, { role: 'parent' | 'child' }> & { properties?: Partial<CoverageTolerance> };

/** 12 significant digits: a micrometre of coordinate, far below any fault, yet stable across machines. */
const rounded = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v)));

const names = readdirSync(IN).filter((f) => f.endsWith('.geojson')).map((f) => f.replace(/\.geojson$/, '')).sort();

describe('coverage engine fixtures (test/in → test/out)', () => {
  it('has the fixtures', () => expect(names.length).toBeGreaterThanOrEqual(5));

  it.each(names)('%s', (name) => {
    const fc = JSON.parse(readFileSync(new URL(`${name}.geojson`, IN), 'utf8')) as Fixture;
    const parent = fc.features.find((f) => f.properties.role === 'parent') as Feature<Areal>;
    const children = fc.features.filter((f) => f.properties.role !== 'parent');
    const { sliverWidthM, minAreaM2 } = fc.properties ?? {};
    const report = rounded(analyseCoverage(parent, children, { sliverWidthM, minAreaM2 }));
    const out = new URL(`${name}.json`, OUT);
    if (process.env.UPDATE) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    expect(report).toEqual(JSON.parse(readFileSync(out, 'utf8')));
  });
});
