import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';

// Public read routes (cells, tiles and their style, OGC, Open311, report tracking) are limited per client address, each
// route by itself, with the configured limit; past it a 429 http.rate-limited with Retry-After.

let t: TestApp;
let limited: FastifyInstance;
let cell: number;

beforeAll(async () => {
  t = await testApp();
  cell = (await twoStreets(t.db)).west;
  limited = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, publicReadsPerMinute: 3 } }, clientDir: '/nonexistent' });
  await limited.ready();
});
afterAll(async () => {
  await limited.close();
  await t.app.close();
});

describe(`public read rate limits (${TEST_DB})`, () => {
  it('answers the 4th read a minute from one address with 429 http.rate-limited and Retry-After, on every public read route', async () => {
    const urls = ['/api/cells', `/api/cells/${cell}`, '/tiles/cells/14/13253/6474.mvt', '/tiles/cells.json', '/styles/cells.json', '/ogc/collections', '/api/reports/track/WG-AAAAA-BBBBB'];
    for (const url of urls) {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.inject({ method: 'GET', url, remoteAddress: '203.0.113.7' })).statusCode);
      expect(statuses.every((s) => s !== 429), url).toBe(true);
      const res = await limited.inject({ method: 'GET', url, remoteAddress: '203.0.113.7' });
      expect(res.statusCode, url).toBe(429);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('http.rate-limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await limited.inject({ method: 'GET', url, remoteAddress: '203.0.113.8' })).statusCode, url).not.toBe(429);
    }
  });

  it('limits the Open311 reads the same way, answering in the spec\'s error format', async () => {
    for (const url of ['/open311/v2/services.json', '/open311/v2/requests.json']) {
      for (let i = 0; i < 3; i++) expect((await limited.inject({ method: 'GET', url, remoteAddress: '203.0.113.17' })).statusCode, url).toBe(200);
      const res = await limited.inject({ method: 'GET', url, remoteAddress: '203.0.113.17' });
      expect(res.statusCode, url).toBe(429);
      expect(res.json()).toEqual([{ code: 429, description: expect.stringMatching(/Too many requests/) }]);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('leaves the default generous: 300 cell reads in a row from one address all answer', async () => {
    const app = await buildApp({ db: t.db, config: { ...t.config, security: { ...t.config.security, publicReadsPerMinute: 1200 } }, clientDir: '/nonexistent' });
    try {
      for (let i = 0; i < 300; i++) expect((await app.inject({ method: 'GET', url: `/api/cells/${cell}`, remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
