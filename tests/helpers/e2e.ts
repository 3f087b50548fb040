import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serverBundle } from '../../scripts/server-bundle.ts';

/** End-to-end helpers: the real server as a child process, and a headless Chromium. */

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Flags for headless Chromium in a container without a GPU. MapLibre needs WebGL2: ANGLE on
 * SwiftShader (software Vulkan) provides it; --enable-unsafe-swiftshader keeps newer Chromium from
 * refusing the software fallback. The rest keep the browser off the network and quiet.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

function freePort(): Promise<number> {
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

export interface RunningServer {
  url: string;
  dataDir: string;
  /** What the server printed so far, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Whether any process of the group is still alive (npx may exit before the server it started). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Every file under dir, for the template's fingerprint. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  }).sort();
}

/**
 * A data directory with the demo district seeded, made once and copied for each test file:
 * creating and seeding the embedded database takes half a minute, copying it a second. Named after
 * what decides its content (the server's code, the demo data), so a change makes a new one.
 */
async function seededTemplate(living: boolean): Promise<string> {
  const hash = createHash('sha256');
  for (const f of [...filesUnder(path.join(ROOT, 'server')), ...filesUnder(path.join(ROOT, 'data/demo')), path.join(ROOT, 'package-lock.json')]) {
    hash.update(f).update(readFileSync(f));
  }
  const template = path.join(os.tmpdir(), `wangge-e2e-template-${hash.digest('hex').slice(0, 16)}${living ? '-living' : ''}`);
  if (existsSync(template)) return template;
  const building = await mkdtemp(path.join(os.tmpdir(), 'wangge-e2e-template-'));
  const server = await launch(building, { env: { WANGGE_DEMO_LIVING: String(living) } });
  await server.stop({ keepData: true });
  // Renamed into place only when complete, so a half-made template is never used.
  await rename(building, template).catch(async () => rm(building, { recursive: true, force: true }));
  return template;
}

/**
 * Starts the server as `npm start` runs it (the bundle, dist/server/main.mjs) on a free port with a fresh embedded database (a copy of a
 * seeded template: the demo district) and waits until /api/health answers. The built client
 * (npx vite build) must exist: the server only serves dist/client when it is there at startup.
 */
export async function startServer(opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; living?: boolean } = {}): Promise<RunningServer> {
  if (!existsSync(path.join(ROOT, 'dist/client/index.html'))) {
    throw new Error('dist/client is missing: run `npx vite build` before the end-to-end tests');
  }
  // Most tests bring their own reports, people and units onto the bare district; the living demo
  // (six months of work) is opted into by the tests of the demo itself.
  const living = opts.living ?? false;
  const template = await seededTemplate(living);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wangge-e2e-'));
  await cp(template, dataDir, { recursive: true });
  return launch(dataDir, { ...opts, env: { WANGGE_DEMO_LIVING: String(living), ...opts.env } });
}

async function launch(dataDir: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunningServer & { stop: (o?: { keepData?: boolean }) => Promise<void> }> {
  const port = await freePort();
  let output = '';
  // Its own process group, so stopping it also stops whatever it started.
  const child = spawn(process.execPath, [serverBundle()], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', WANGGE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...opts.env },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const stop = async ({ keepData = false } = {}) => {
    if (child.pid !== undefined) {
      signal('SIGTERM');
      if (!(await waitForGroupExit(child.pid, 10_000))) {
        signal('SIGKILL');
        await waitForGroupExit(child.pid, 5_000);
      }
    }
    if (!keepData) await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 150_000);
  try {
    for (;;) {
      if (exited(child)) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      try {
        const response = await fetch(`${url}/api/health`);
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error('the server was not ready in time');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- server output ---\n${output}`);
  }
  return { url, dataDir, output: () => output, stop };
}

export type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** Signs in through the API (the demo password by default); returns fetch with the session cookie and CSRF token. */
export async function signInApi(baseUrl: string, username: string, password = 'demo1234'): Promise<Api> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return (path, init = {}) => fetch(`${baseUrl}${path}`, {
    ...init, headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json', ...init.headers },
  });
}

/** Signs in through the header's dialog, as a user does (the demo password by default). */
export async function signInUi(page: Page, username: string, password = 'demo1234'): Promise<void> {
  await page.getByTestId('sign-in').click();
  await page.locator('dialog input[name=username]').fill(username);
  await page.locator('dialog input[name=password]').fill(password);
  await page.locator('dialog button[type=submit]').click();
}

/** Opens the app at a URL, waits for its map, and signs in through the dialog until the user menu shows. */
export async function openSignedIn(page: Page, url: string, username: string, timeout = 90_000): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout });
  await signInUi(page, username);
  await page.getByTestId('user-menu').waitFor();
}
