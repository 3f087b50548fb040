import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer, signInApi, signInUi } from '../helpers/e2e.ts';

/** Signing in and out, what each role sees, account administration, and that stored text stays text. */

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 });
  return page;
}


const apiAs = (username: string) => signInApi(server.url, username);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('accounts in the browser', () => {
  it('shows only the public map signed out, refuses a wrong password with the reason, and signs a planner in and out', async () => {
    const page = await newPage();
    await expect(page.getByTestId('nav-plan').count()).resolves.toBe(0);
    await signInUi(page, 'planner', 'wrong password');
    await expect(page.locator('dialog [role=alert]').textContent()).resolves.toMatch(/Sign-in failed: .+/);
    await page.locator('dialog input[name=password]').fill('demo1234');
    await page.locator('dialog button[type=submit]').click();
    await page.getByTestId('user-menu').waitFor();
    await expect(page.getByTestId('user-menu').textContent()).resolves.toContain('Planner');
    await expect(page.getByTestId('nav-plan').count()).resolves.toBe(1);
    await expect(page.getByTestId('nav-admin').count()).resolves.toBe(0);

    // The session outlives a reload (httpOnly cookie) ...
    await page.reload();
    await page.getByTestId('user-menu').waitFor();
    // ... and signing out ends it on the server too.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    await expect(page.getByTestId('nav-plan').count()).resolves.toBe(0);
    const session = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user: unknown });
    expect(session.user).toBeNull();
  });

  it('does not open a view the role may not use, even by its address', async () => {
    const page = await newPage();
    await signInUi(page, 'worker', 'demo1234');
    await page.getByTestId('user-menu').waitFor();
    await page.evaluate(() => { window.location.hash = '#/admin'; });
    await page.waitForTimeout(300);
    await expect(page.locator('#side-panel').getAttribute('data-view')).resolves.toBe('map');
    await expect(page.getByTestId('users').count()).resolves.toBe(0);
  });

  it('lets an admin create a user who can then sign in, and deactivate them so they cannot', async () => {
    const page = await newPage();
    await signInUi(page, 'admin', 'demo1234');
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('users').waitFor();
    await page.getByTestId('new-user').click();
    const form = page.getByTestId('user-form');
    await form.locator('input[name=new-username]').fill('wang.li');
    await form.locator('input[name=displayName]').fill('王丽');
    await form.locator('select[name=role]').selectOption('commander');
    await form.locator('input[name=new-password]').fill('a long enough passphrase');
    await form.locator('button[type=submit]').click();
    await page.getByTestId('users').getByText('wang.li').waitFor();

    const signIn = (password: string) => fetch(`${server.url}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'wang.li', password }),
    });
    const first = await signIn('a long enough passphrase');
    expect(first.status).toBe(200);
    expect(((await first.json()) as { user: { role: string } }).user.role).toBe('commander');

    const row = page.getByTestId('users').locator('tr', { hasText: 'wang.li' });
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('Deactivated').waitFor();
    expect((await signIn('a long enough passphrase')).status).toBeGreaterThanOrEqual(400);

    // A weak password is refused with the server's reason, and nothing is created.
    await page.getByTestId('new-user').click();
    await form.locator('input[name=new-username]').fill('weak.one');
    await form.locator('input[name=displayName]').fill('Weak');
    await form.locator('input[name=new-password]').fill('123');
    await form.locator('button[type=submit]').click();
    await expect(page.locator('.admin [role=alert]').textContent()).resolves.toMatch(/password/i);
    const admin = await apiAs('admin');
    const users = (await (await admin('/api/users')).json()) as { username: string }[];
    expect(users.map((u) => u.username)).not.toContain('weak.one');
    await page.screenshot({ path: 'test-results/e2e/admin.png' });
  });

  it('shows names that look like markup as plain text, never running them', async () => {
    const admin = await apiAs('admin');
    const evil = '<img src=x onerror="window.__xss=1">';
    const created = await admin('/api/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'mallory', displayName: evil, role: 'worker', password: 'another long passphrase' }),
    });
    expect(created.status).toBe(201);
    const cells = (await (await fetch(`${server.url}/api/cells?level=1`)).json()) as { features: { id: number }[] };
    const id = cells.features[0]!.id;
    const current = await fetch(`${server.url}/api/cells/${id}`);
    const patched = await admin(`/api/cells/${id}`, {
      method: 'PATCH', headers: { 'if-match': current.headers.get('etag')! }, body: JSON.stringify({ properties: { name: evil } }),
    });
    expect(patched.status).toBe(200);

    const page = await newPage();
    await signInUi(page, 'admin', 'demo1234');
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('users').getByText(evil).waitFor();
    await page.evaluate(() => { window.location.hash = '#/map'; });
    await page.getByText(evil).first().waitFor();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src=x]').count()).toBe(0);
  });
});
