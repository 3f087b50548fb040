/**
 * The real server (server/main.ts) as a child process on a given database, for the intake
 * benchmark and the reliability tests: its own port on loopback, no demo data, the public report
 * rate limit lifted, and its peak RSS read from /proc when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverBundle } from '../server-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerDb {
  /** An embedded PGlite data directory, or a PostgreSQL connection string. */
  dataDir?: string;
  databaseUrl?: string;
}

export interface ChildServer {
  url: string;
  pid: number;
  child: ChildProcess;
  output: () => string;
  /** Peak resident set size so far (VmHWM), in MiB; NaN when unreadable. */
  peakRssMiB: () => number;
  /** SIGTERM (graceful: in-flight requests finish), SIGKILL after the timeout. */
  stop: (timeoutMs?: number) => Promise<number | null>;
  /** SIGKILL at once: a crash. */
  kill: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function readPeakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

/**
 * Servers still running: killed when this process ends, however it ends (a benchmark stopped with
 * Ctrl-C or a signal must not leave its server behind, holding a port and the database).
 */
const live = new Set<ChildProcess>();
let reaping = false;
function reapOnExit() {
  if (reaping) return;
  reaping = true;
  process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Starts the server as `npm start` runs it (the bundle; the pid is the server's) and waits for /api/health. */
export async function startChildServer(db: ServerDb, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ChildServer> {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-srv-'));
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(configFile, JSON.stringify({ security: { reportsPerMinute: 1_000_000_000, signInPerMinute: 1_000_000, publicReadsPerMinute: 1_000_000_000 } }));
  let output = '';
  // BENCH_CPU_PROFILE=dir: the server writes a V8 CPU profile there when it stops (scripts/bench/flame.ts draws it).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...profile, serverBundle()], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WANGGE_SEED_DEMO: 'false', WANGGE_CONFIG: configFile,
      WANGGE_PHOTO_DIR: path.join(tmp, 'photos'),
      WANGGE_DATA_DIR: db.dataDir ?? path.join(tmp, 'db'),
      DATABASE_URL: db.databaseUrl ?? '',
      ...opts.env,
    },
  });
  reapOnExit();
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const pid = child.pid!;
  let peak = NaN;
  const sample = () => {
    const v = readPeakRss(pid);
    if (Number.isFinite(v)) peak = v;
    return peak;
  };
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const stop = async (timeoutMs = 15_000) => {
    sample();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited(child);
      clearTimeout(timer);
    }
    cleanup();
    return child.exitCode;
  };
  const kill = async () => {
    sample();
    child.kill('SIGKILL');
    await exited(child);
    cleanup();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      try {
        if ((await fetch(`${url}/api/health`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error('the server was not ready in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await kill();
    throw new Error(`${(e as Error).message}\n--- server output ---\n${output}`);
  }
  return { url, pid, child, output: () => output, peakRssMiB: sample, stop, kill };
}
