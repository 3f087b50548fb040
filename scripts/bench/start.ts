import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { ensureDemoTemplate } from '../../server/demo/template.ts';
import { serverBundle } from '../server-bundle.ts';

export interface StartRow { what: string; seconds: number; idleRssMiB: number | null }

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts the server (node, as npm start does after its client check) until /api/health answers; RSS after 10 s idle. */
async function startOnce(dataDir: string, port: number, env: NodeJS.ProcessEnv): Promise<{ seconds: number; rss: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [serverBundle()], {
    cwd: ROOT, stdio: 'ignore', env: { ...process.env, ...env, PORT: String(port), WANGGE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 10_000));
    const { readFileSync } = await import('node:fs');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    return { seconds, rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/**
 * First start and restart of the embedded demo (`npm start` without the client build, which is
 * skipped when current), and the server's RSS when idle. The template (built once per code version,
 * by npm install) is built here first in a directory of its own, and timed.
 */
export async function benchStart(log: (s: string) => void): Promise<StartRow[]> {
  const templates = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-templates-'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-start-'));
  rmSync(dataDir, { recursive: true });
  const env = { WANGGE_TEMPLATE_DIR: templates, HOST: '127.0.0.1' };
  const rows: StartRow[] = [];
  try {
    process.env.WANGGE_TEMPLATE_DIR = templates;
    const t0 = Date.now();
    await ensureDemoTemplate(loadConfig({}));
    rows.push({ what: 'demo database built (once per code version, npm install)', seconds: (Date.now() - t0) / 1000, idleRssMiB: null });
    log(`  template: ${rows[0]!.seconds.toFixed(1)} s`);
    const first = await startOnce(dataDir, 18_990, env);
    rows.push({ what: 'first start (copy of the demo database, dates moved)', seconds: first.seconds, idleRssMiB: Math.round(first.rss) });
    log(`  first start: ${first.seconds.toFixed(1)} s`);
    const again = await startOnce(dataDir, 18_991, env);
    rows.push({ what: 'restart', seconds: again.seconds, idleRssMiB: Math.round(again.rss) });
    log(`  restart: ${again.seconds.toFixed(1)} s`);
  } finally {
    rmSync(templates, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
