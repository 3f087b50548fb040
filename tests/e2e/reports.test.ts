import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { launchBrowser, startServer, type RunningServer } from '../helpers/e2e.ts';

/**
 * A hazard report's closed loop through the UI: a resident (signed out) files it on the map with a
 * photo and follows it by its tracking code; the demo worker (scope 610302001) finds it in the
 * inbox and on the map, verifies, dispatches, accepts and marks it rectified with the buttons the
 * server allows; the commander checks and closes it; the resident's tracking view then shows it
 * closed with the public reply. A report filed meanwhile appears in the open inbox live; the form
 * works on a 375 px phone.
 */

type Cell = Feature<MultiPolygon, { code: string; name: string; level: number; parentId: number | null }> & { id: number };

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];
let community: Cell;
let at: [number, number];
let photo: Buffer;
let trackingCode = '';
let claimCode = '';
let reportId = 0;

async function cells(query: string): Promise<Cell[]> {
  const res = await fetch(`${server.url}/api/cells?${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as FeatureCollection<MultiPolygon>).features as Cell[];
}

async function newPage(options: Parameters<Browser['newContext']>[0]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page };
}

async function signIn(page: Page, username: string) {
  const res = await page.request.post(`${server.url}/api/session`, { data: { username, password: 'demo1234' } });
  expect(res.status()).toBe(200);
}

const mapReady = (page: Page) => page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 180_000 });

/** Centres the map on a point, waits for it to settle and clicks it there. */
async function clickMapAt(page: Page, lngLat: [number, number], zoom?: number) {
  await page.evaluate(([p, z]) => new Promise<void>((resolve) => {
    const map = window.__wanggeMap!;
    map.once('idle', () => resolve());
    map.jumpTo({ center: p as [number, number], ...(z ? { zoom: z as number } : {}) });
  }), [lngLat, zoom ?? null] as const);
  const pixel = await page.evaluate((p) => window.__wanggeMap!.project(p), lngLat);
  const canvas = (await page.locator('.map canvas').boundingBox())!;
  await page.mouse.click(canvas.x + pixel.x, canvas.y + pixel.y);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  // A community (level 3) of the worker's street 610302001, and a point well inside it.
  const street = (await cells('level=2')).find((c) => c.properties.code === '610302001')!;
  community = (await cells(`parentId=${street.id}`)).find((c) => c.properties.level === 3)!;
  const centre = centerOfMass(community);
  at = (booleanPointInPolygon(centre, community) ? centre : pointOnFeature(community)).geometry.coordinates as [number, number];
  photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** Whether `cellId` is `ancestorId` or below it. */
async function within(cellId: number, ancestorId: number): Promise<boolean> {
  for (let id: number | null = cellId; id !== null; ) {
    if (id === ancestorId) return true;
    const res: Response = await fetch(`${server.url}/api/cells/${id}`);
    id = ((await res.json()) as Cell).properties.parentId;
  }
  return false;
}

describe('a hazard report from the map to closed', () => {
  let resident: Page;

  it('is filed by a resident, signed out, by clicking a point in a community, with a photo', async () => {
    ({ page: resident } = await newPage({ viewport: { width: 1400, height: 900 } }));
    await resident.goto(server.url);
    await mapReady(resident);
    await resident.getByTestId('report-launch').click();
    const form = resident.getByTestId('report-form');
    await form.getByText('Click the map where the hazard is').waitFor();
    await clickMapAt(resident, at, 15);
    await resident.getByTestId('report-marker').waitFor();
    await expect(form.getByTestId('report-point').textContent()).resolves.toMatch(/^Marked at 10[67]\.\d{5}, 3[34]\.\d{5}$/);
    await form.locator('select[name=category]').selectOption('fire');
    await form.locator('textarea[name=description]').fill('楼道堆放杂物，堵塞消防通道');
    await form.locator('input[name=photos]').setInputFiles({ name: 'hazard.png', mimeType: 'image/png', buffer: photo });
    await form.getByTestId('report-photos').locator('img').waitFor();
    await form.locator('input[name=contact]').fill('13800138000');
    await form.getByTestId('report-submit').click();

    const filed = resident.getByTestId('report-filed');
    await filed.waitFor();
    trackingCode = (await filed.getByTestId('report-code').textContent())!;
    // The claim code for a reward, shown once beside it.
    claimCode = (await filed.getByTestId('report-claim-code').textContent())!;
    expect(claimCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(trackingCode).toMatch(/^WG-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const routed = (await filed.getByTestId('report-routed').textContent())!;
    expect(routed).toMatch(/^Sent to: \S/);
    await resident.screenshot({ path: 'test-results/e2e/reports-filed.png' });

    // Routed to the community or a cell inside it, with the photo.
    const tracked = (await (await fetch(`${server.url}/api/reports/track/${trackingCode}`)).json()) as { state: string; cellName: string };
    expect(tracked.state).toBe('reported');
    expect(routed).toBe(`Sent to: ${tracked.cellName}`);
    const admin = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo1234' }) });
    const cookie = admin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const list = (await (await fetch(`${server.url}/api/reports?state=reported`, { headers: { cookie } })).json()) as { items: { id: number; trackingCode: string; cellId: number; source: string; photos: unknown[]; reporter: { contact: string } }[] };
    const mine = list.items.find((r) => r.trackingCode === trackingCode)!;
    reportId = mine.id;
    expect(mine.source).toBe('resident');
    expect(mine.photos).toHaveLength(1);
    expect(mine.reporter.contact).toBe('13800138000');
    await expect(within(mine.cellId, community.id)).resolves.toBe(true);
  }, 300_000);

  it('is followed by its tracking code without an account', async () => {
    const box = resident.getByTestId('report-track');
    await box.locator('input[name=trackingCode]').fill(trackingCode.toLowerCase());
    await box.getByRole('button', { name: 'Look up' }).click();
    await expect(box.getByTestId('track-state').textContent()).resolves.toBe('Reported');
    // Nothing about people on the tracking view.
    await expect(box.textContent()).resolves.not.toContain('13800138000');
  });

  let worker: Page;

  it('shows in the worker\'s inbox and on the map; a click on its point opens it', async () => {
    ({ page: worker } = await newPage({ viewport: { width: 1400, height: 900 }, timezoneId: 'America/Los_Angeles' }));
    await signIn(worker, 'worker');
    await worker.goto(`${server.url}/#/reports`);
    await mapReady(worker);
    const item = worker.getByTestId(`report-item-${reportId}`);
    await item.waitFor();
    await expect(item.textContent()).resolves.toMatch(/Reported.*Fire.*Ordinary.*left/);
    await worker.waitForFunction(() => !!window.__wanggeMap!.getSource('reports-points')
      && window.__wanggeMap!.querySourceFeatures('reports-points').length > 0, undefined, { timeout: 30_000 });
    await clickMapAt(worker, at, 16);
    const detail = worker.getByTestId('report-detail');
    await detail.waitFor();
    await expect(detail.locator('h3').textContent()).resolves.toBe(`Report #${reportId}`);
    await expect(worker.evaluate(() => location.hash)).resolves.toContain(`report=${reportId}`);
    await expect(detail.getByTestId('report-description').textContent()).resolves.toBe('楼道堆放杂物，堵塞消防通道');
    // The photo's thumbnail loads (the staff-only photo route), linked to the original.
    const thumb = detail.getByTestId('report-detail-photos').locator('img');
    await worker.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await thumb.elementHandle());
    await expect(detail.getByTestId('report-detail-photos').locator('a').getAttribute('href')).resolves.toMatch(new RegExp(`^/api/reports/${reportId}/photos/\\d+$`));
    // Exactly the actions the server allows a worker on a new report.
    await expect(detail.locator('.report-actions button').evaluateAll((b) => b.map((x) => x.getAttribute('data-testid')))).resolves
      .toEqual(['act-verify', 'act-reject', 'act-transfer']);
  }, 300_000);

  it('is verified, dispatched with a deadline, accepted and rectified by the worker with the buttons', async () => {
    const detail = worker.getByTestId('report-detail');
    const step = async (action: string, fill: (form: ReturnType<Page['getByTestId']>) => Promise<void>, state: string) => {
      await detail.getByTestId(`act-${action}`).click();
      const form = detail.getByTestId(`act-form-${action}`);
      await fill(form);
      await form.getByTestId('act-confirm').click();
      await worker.locator(`[data-testid=report-detail][data-state=${state}]`).waitFor();
      await expect(detail.getByRole('alert').count()).resolves.toBe(0);
    };
    await step('verify', (f) => f.locator('textarea[name=reply]').fill('已核实，正在处理。'), 'verified');
    await step('dispatch', async (f) => {
      await f.locator('input[name=department]').fill('经二路街道安监办');
      // The deadline is typed on the office's clock (Asia/Shanghai), whatever the browser's zone.
      const due = new Date(Date.now() + 3 * 86400_000 + 8 * 3600_000).toISOString().slice(0, 16);
      await f.locator('input[name=dueAt]').fill(due);
    }, 'dispatched');
    await expect(detail.getByTestId('report-due').textContent()).resolves.toMatch(/2 d 23 h left|3 d left/);
    await step('accept', async () => undefined, 'rectifying');
    await step('rectify', async (f) => {
      await f.locator('textarea[name=note]').fill('杂物已清理，通道畅通');
      await f.locator('input[name=evidence]').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photo });
    }, 'rectified');
    // Checking and closing is the supervisor's: the worker has nothing left to do.
    await detail.getByTestId('report-no-actions').waitFor();
    const timeline = detail.getByTestId('report-timeline').locator(':scope > li');
    await expect(timeline.evaluateAll((li) => li.map((x) => x.getAttribute('data-action')))).resolves.toEqual(['create', 'verify', 'dispatch', 'accept', 'rectify']);
    await expect(timeline.last().locator('img').count()).resolves.toBe(1);
    // Who handled each step, by name and role, not by login.
    await expect(timeline.last().getByTestId('event-who').textContent()).resolves.toMatch(/\(Grid worker\)$/);
    await worker.screenshot({ path: 'test-results/e2e/reports-worker.png' });
  });

  it('is checked and closed by the commander, and the resident sees it closed with the reply', async () => {
    const { context, page: commander } = await newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await signIn(commander, 'commander');
    await commander.goto(`${server.url}/#/reports?report=${reportId}`);
    await mapReady(commander);
    const detail = commander.getByTestId('report-detail');
    await detail.locator('.report-actions').waitFor();
    await expect(detail.locator('.report-actions button').evaluateAll((b) => b.map((x) => x.textContent))).resolves.toEqual(['核查结案', '退回整改']);
    await detail.getByTestId('act-close').click();
    await detail.locator('textarea[name=reply]').fill('通道已清理，经现场核查结案，感谢您的监督。');
    await detail.getByTestId('act-confirm').click();
    await commander.locator(`[data-testid=report-detail][data-state=closed]`).waitFor();
    await expect(detail.getByTestId('act-reopen').count()).resolves.toBe(1);
    // 有奖举报: the verified resident report is on the commander's ledger, with the reporter to pay.
    const ledger = commander.getByTestId('rewards-ledger');
    await ledger.locator('summary').click();
    await ledger.getByTestId(`reward-${reportId}`).waitFor();
    await expect(ledger.getByTestId(`reward-${reportId}`).locator('td').allTextContents()).resolves.toEqual([trackingCode, '消防', '50', '待申领', '13800138000']);

    // The worker's open detail follows live.
    await worker.locator(`[data-testid=report-detail][data-state=closed]`).waitFor();
    await context.close();

    const box = resident.getByTestId('report-track');
    await box.getByRole('button', { name: 'Look up' }).click();
    await resident.locator('[data-testid=track-result][data-state=closed]').waitFor();
    await expect(box.getByTestId('track-state').textContent()).resolves.toBe('Closed');
    await box.getByText('Reward: ¥50').waitFor();
    await expect(box.getByTestId('track-reply').allTextContents()).resolves.toEqual([
      'Reply: 已核实，正在处理。',
      'Reply: 通道已清理，经现场核查结案，感谢您的监督。',
    ]);
    await resident.screenshot({ path: 'test-results/e2e/reports-tracked.png' });
  }, 300_000);

  it('the resident claims the reward and rates the handling; the commander records the payout', async () => {
    const box = resident.getByTestId('report-track');
    const claim = box.getByTestId('track-claim');
    await claim.locator('summary').click();
    // A wrong code first: the server's reason, in the page's language.
    await claim.locator('input[name=claimCode]').fill('AAAA-AAAA');
    await claim.locator('input[name=name]').fill('王女士');
    await claim.locator('input[name=phone]').fill('137 0000 2222');
    await claim.getByRole('button', { name: 'Claim' }).click();
    await expect(claim.getByRole('alert').textContent()).resolves.toMatch(/claim code does not match/);
    await claim.locator('input[name=claimCode]').fill(claimCode);
    await claim.getByRole('button', { name: 'Claim' }).click();
    await expect(box.getByTestId('track-claimed').textContent()).resolves.toContain('137****2222');
    const rate = box.getByTestId('track-rate');
    await rate.locator('label').nth(3).click();
    await rate.locator('textarea').fill('处理很及时');
    await rate.getByRole('button', { name: 'Send rating' }).click();
    await expect(box.getByTestId('track-rating').textContent()).resolves.toBe('Your rating: ★★★★☆ · 处理很及时');
    await resident.screenshot({ path: 'test-results/e2e/reports-claimed.png' });

    const { context, page: commander } = await newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await signIn(commander, 'commander');
    await commander.goto(`${server.url}/#/reports?report=${reportId}`);
    await mapReady(commander);
    await expect(commander.getByTestId('report-rating').textContent()).resolves.toBe('★★★★☆ · 处理很及时');
    const ledger = commander.getByTestId('rewards-ledger');
    await ledger.locator('summary').click();
    const row = ledger.locator(`[data-testid=reward-${reportId}][data-status=claimed]`);
    await row.waitFor();
    await expect(row.locator('td').nth(4).textContent()).resolves.toMatch(/^王女士 · 13700002222/);
    await row.getByTestId(`reward-pay-${reportId}`).click();
    const form = row.getByTestId('reward-payout');
    await form.locator('select[name=method]').selectOption('cash');
    await form.locator('input[name=note]').fill('街道办现场发放');
    await form.getByRole('button', { name: '确认发放' }).click();
    await ledger.locator(`[data-testid=reward-${reportId}][data-status=paid]`).waitFor();
    await expect(ledger.getByTestId(`reward-${reportId}`).locator('td').nth(3).textContent()).resolves.toMatch(/已发放.*现金 50 元/);
    await context.close();
    await box.getByRole('button', { name: 'Look up' }).click();
    await box.getByTestId('track-paid').waitFor();
  }, 300_000);

  it('updates the open inbox live when another report arrives', async () => {
    await worker.getByTestId('report-back').click();
    await worker.getByTestId('report-detail').waitFor({ state: 'detached' });
    await worker.locator('[data-testid=report-live][data-live="1"]').waitFor();
    const before = await worker.locator('.report-item').count();
    const res = await fetch(`${server.url}/api/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'e2e-live-report-1' },
      body: JSON.stringify({ location: { type: 'Point', coordinates: at }, category: 'environment', severity: 'major', description: '河道旁倾倒垃圾' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const item = worker.getByTestId(`report-item-${id}`);
    await item.waitFor();
    await expect(item.getByTestId('report-new').count()).resolves.toBe(1);
    await expect(item.textContent()).resolves.toMatch(/Environment.*Major.*河道旁倾倒垃圾/);
    await expect(worker.locator('.report-item').count()).resolves.toBe(before + 1);
    await worker.screenshot({ path: 'test-results/e2e/reports-live.png' });
  });

  it('fits a 375 px phone: the form as a bottom sheet, "use my location"', async () => {
    // One map drawing at a time in the software renderer.
    await resident.context().close();
    await worker.context().close();
    const { page: phone } = await newPage({
      viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN',
      geolocation: { longitude: at[0], latitude: at[1] }, permissions: ['geolocation'],
    });
    await phone.goto(server.url);
    await mapReady(phone);
    await phone.getByTestId('report-fab').click();
    const form = phone.getByTestId('report-form');
    await form.waitFor();
    await form.getByTestId('report-locate').click();
    await form.locator('[data-testid=report-point].report-point').waitFor();
    await expect(form.getByTestId('report-point').textContent()).resolves.toMatch(/^已标出：10[67]\.\d{5}, 3[34]\.\d{5}$/);
    await form.locator('textarea[name=description]').fill('路灯杆倾斜');
    const box = (await form.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    // The map above the sheet stays visible, and the map flew the marked place into that part.
    expect(box.y).toBeGreaterThan(812 * 0.4);
    await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    // The map flew to the position: let it settle for the picture.
    await phone.evaluate(() => new Promise<void>((resolve) => {
      const map = window.__wanggeMap!;
      if (!map.isMoving()) resolve();
      else map.once('idle', () => resolve());
    }));
    const marker = (await phone.getByTestId('report-marker').boundingBox())!;
    expect(marker.y + marker.height).toBeLessThan(box.y);
    expect(marker.y).toBeGreaterThan(52);
    await phone.screenshot({ path: 'test-results/e2e/reports-phone-form.png' });
    await form.getByTestId('report-submit').click();
    await expect(phone.getByTestId('report-routed').textContent()).resolves.toMatch(/^已转交：/);
    await phone.screenshot({ path: 'test-results/e2e/reports-phone-filed.png' });
  }, 300_000);

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
