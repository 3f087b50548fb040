import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenHost } from '../../server/config.ts';
import { TEST_DB } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];

async function start(env: NodeJS.ProcessEnv, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) } });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    if (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)) return { child, output: () => output };
    await new Promise((r) => setTimeout(r, 250));
  }
}
const stop = async (child: ChildProcess) => {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
};
const signIn = (port: number, username: string, password: string) => fetch(`http://127.0.0.1:${port}/api/session`,
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }).then((r) => r.status);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('default credentials', () => {
  it('listens on 127.0.0.1 while demo accounts exist, unless HOST is set', () => {
    expect(listenHost({}, true)).toBe('127.0.0.1');
    expect(listenHost({ host: '0.0.0.0' }, true)).toBe('0.0.0.0');
    expect(listenHost({}, false)).toBe('0.0.0.0');
  });

  // A real server process on the embedded default (the subject); not repeated on PostgreSQL.
  it.skipIf(TEST_DB !== 'embedded')('without the demo, the embedded server has no demo accounts and the first admin comes from npm run admin', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wangge-nodemo-'));
    dirs.push(dataDir);
    const env = { WANGGE_DATA_DIR: dataDir, WANGGE_SEED_DEMO: 'false', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: '' };
    const first = await start(env, 18_971);
    try {
      expect(await signIn(18_971, 'admin', 'demo1234')).toBe(401);
      expect(first.output()).toContain('npm run admin -- create');
      expect(first.output()).not.toContain('demo1234');
    } finally {
      await stop(first.child);
    }
    const admin = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'create', 'chief'], {
      cwd: ROOT, env: { ...process.env, ...env, WANGGE_ADMIN_PASSWORD: 'Weibin-grid-2026!' }, encoding: 'utf8' });
    expect(admin.status, admin.stderr).toBe(0);
    const again = await start(env, 18_972);
    try {
      expect(await signIn(18_972, 'chief', 'Weibin-grid-2026!')).toBe(200);
      expect(await signIn(18_972, 'admin', 'demo1234')).toBe(401);
    } finally {
      await stop(again.child);
    }
  }, 900_000);
});
