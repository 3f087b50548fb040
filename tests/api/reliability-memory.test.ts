import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { createUser } from '../helpers/auth.ts';
import { twoStreets } from '../helpers/cells.ts';
import { serverPlace, signInHttp, type ServerPlace } from '../helpers/child-server.ts';
import { TEST_DB } from '../helpers/db.ts';
import { badInputs, type BadInput } from '../reliability/bad-input.ts';

// The real server (server/main.ts) as a child process is sent the whole bad input corpus
// (tests/reliability/bad-input.ts: zip bombs that inflate to 1 GiB — some with headers that lie —,
// a 10^6-vertex polygon, a 6 MB string, JSON nested 200,000 deep…) several rounds over. It answers
// every request, stays up, and its peak resident set (VmHWM) stays under a fixed bound, and within
// a fixed growth over its peak at start: a server that inflated a bomb, or buffered what it should
// refuse, would pass both. The embedded server holds PGlite (PostgreSQL and PostGIS in WebAssembly)
// in its own process, about 1 GiB resident from the start, hence its higher bound.

const ROUNDS = 3;
const PEAK_RSS_BOUND_MIB = TEST_DB === 'embedded' ? 1536 : 600;
const GROWTH_BOUND_MIB = 400;

let place: ServerPlace;
let server: ChildServer | undefined;
let cases: BadInput[];
let startPeak: number;

/**
 * Sends one case on its own connection and answers the status, or the socket error when no answer
 * came. A body over the limit is read and dropped by the server before it answers 413
 * (server/problem.ts), so even that answer reaches a client still uploading.
 */
function send(url: string, c: BadInput, staff: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    let answered = false;
    const req = http.request(`${url}${c.url}`, {
      method: c.method, agent: false,
      headers: { 'content-type': c.contentType, 'content-length': Buffer.byteLength(c.body), ...(c.staff ? staff : {}), ...c.headers },
    }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) resolve(e.code ?? e.message);
    });
    req.end(c.body);
  });
}

beforeAll(async () => {
  place = await serverPlace('mem');
  const db = await place.open({ migrate: true });
  try {
    const { west } = await twoStreets(db);
    await createUser(db, 'memPlanner', 'planner');
    cases = badInputs({ cellId: west, heavy: process.env.WANGGE_RELIABILITY_HEAVY === '1' });
  } finally {
    await db.close();
  }
  server = await startChildServer(place.serverDb);
  startPeak = server.peakRssMiB();
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
});

describe(`the server under the bad input corpus (${TEST_DB})`, () => {
  it(`answers every case ${ROUNDS} times over with a 4xx, stays up, and peaks under ${PEAK_RSS_BOUND_MIB} MiB resident, ${GROWTH_BOUND_MIB} MiB over its start`, async () => {
    const s = server!;
    const planner = await signInHttp(s.url, 'memPlanner');
    const wrong: { round: number; name: string; status: number | string }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of cases) {
        const status = await send(s.url, c, planner);
        if (typeof status !== 'number' || status < 400 || status >= 500) wrong.push({ round, name: c.name, status });
      }
      expect((await fetch(`${s.url}/api/health`)).status, `health after round ${round}`).toBe(200);
    }
    expect(wrong).toEqual([]);
    expect(s.child.exitCode).toBeNull();
    const peak = s.peakRssMiB();
    if (process.env.WANGGE_RELIABILITY_VERBOSE) console.log(`peak RSS of the server (${TEST_DB}): ${startPeak} MiB at start, ${peak} MiB after the corpus`);
    expect(startPeak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(PEAK_RSS_BOUND_MIB);
    expect(peak - startPeak).toBeLessThan(GROWTH_BOUND_MIB);
  }, 300_000);
});
