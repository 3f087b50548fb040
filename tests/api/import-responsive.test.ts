import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { serverPlace, signInHttp, type ServerPlace } from '../helpers/child-server.ts';
import { createUser } from '../helpers/auth.ts';
import { TEST_DB } from '../helpers/db.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';

// A 20,000-feature import (upload with its preview, then the commit) against the real server
// process, while a user keeps asking for /api/health and the cells of a small box. Every one of
// those requests answers while the import runs, and some answer before it is done; the latency
// is printed (the figure with a threshold is in the bench: import.<db>.healthDuringImportMaxMs).
// On the embedded database this used to freeze every other request for about a minute.

let place: ServerPlace;
let server: ChildServer;
const FEATURES = 20_000;

/** 20,000 level-1 squares of 0.01° in a 200 × 100 grid, each with its name and 6-digit code. */
function bigFile(): string {
  const features = [];
  for (let i = 0; i < FEATURES; i++) {
    const x = 100 + (i % 200) * 0.01;
    const y = 30 + Math.floor(i / 200) * 0.01;
    const ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]].map((p) => p.map((n) => Math.round(n * 1e7) / 1e7));
    features.push({ type: 'Feature', properties: { name: `格${i}`, code: String(200000 + i) }, geometry: { type: 'Polygon', coordinates: [ring] } });
  }
  return JSON.stringify({ type: 'FeatureCollection', features });
}

beforeAll(async () => {
  place = await serverPlace('responsive');
  const db = await place.open({ migrate: true });
  await createUser(db, 'bulk', 'planner');
  await db.close();
  server = await startChildServer(place.serverDb);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
});

describe(`a 20,000-feature import does not block other requests (${TEST_DB})`, () => {
  it('health and a normal read answer while the upload and the commit run', async () => {
    const headers = await signInHttp(server.url, 'bulk');
    let importing = true;
    const samples: { what: string; ms: number; status: number; during: boolean }[] = [];
    const probe = async (what: string, path: string) => {
      while (importing) {
        const t0 = performance.now();
        const res = await fetch(server.url + path);
        await res.arrayBuffer();
        // Answered while the import was still running: the figure that matters.
        samples.push({ what, ms: performance.now() - t0, status: res.status, during: importing });
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const probes = Promise.all([probe('health', '/api/health'), probe('cells', '/api/cells?bbox=100,30,100.05,30.05')]);

    const t0 = performance.now();
    const body = await multipartFile('grid.geojson', bigFile());
    const up = await fetch(`${server.url}/api/import/cells`, { method: 'POST', headers: { ...headers, ...body.headers }, body: body.payload });
    const preview = await up.json() as { id: string; mapping: unknown; summary: { ready: boolean; errors: number } };
    expect(up.status, JSON.stringify(preview).slice(0, 500)).toBe(201);
    expect(preview.summary).toMatchObject({ ready: true, errors: 0 });
    const uploadMs = performance.now() - t0;
    const done = await fetch(`${server.url}/api/import/cells/${preview.id}/commit`, {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ mapping: preview.mapping }),
    });
    const result = await done.json() as { created: number };
    expect(done.status, JSON.stringify(result).slice(0, 500)).toBe(201);
    expect(result.created).toBe(FEATURES);
    const totalMs = performance.now() - t0;
    importing = false;
    await probes;

    const during = samples.filter((s) => s.during);
    const max = (what: string) => Math.round(Math.max(...during.filter((s) => s.what === what).map((s) => s.ms)));
    console.log(`[${TEST_DB}] ${FEATURES} features: upload+preview ${Math.round(uploadMs)} ms, total ${Math.round(totalMs)} ms; `
      + `${during.length} requests answered meanwhile, health max ${max('health')} ms, cells read max ${max('cells')} ms`);
    expect(during.filter((s) => s.status !== 200)).toEqual([]);
    // Both kinds of request were answered, several times, before the import finished.
    expect(during.filter((s) => s.what === 'health').length).toBeGreaterThan(3);
    expect(during.filter((s) => s.what === 'cells').length).toBeGreaterThan(3);
    const cells = await fetch(`${server.url}/api/cells?bbox=100,30,100.05,30.05`);
    expect(((await cells.json()) as { features: unknown[] }).features.length).toBeGreaterThan(0);
  }, 600_000);
});
