import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer, openSignedIn } from '../helpers/e2e.ts';

// The commander's accountability screens on the living demo (six months of reports, warnings from
// escalations): who reached a warning threshold, issuing a numbered notice and opening it; the
// evaluation ranks cells, and 民主测评 scores entered in the table move the last cell above the first. The 民主测评
// weight is raised in the configuration so that the entered score decides the ranking.

let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const config = path.join(os.tmpdir(), `wangge-e2e-accountability-${process.pid}.json`);
  await writeFile(config, JSON.stringify({ command: { evaluation: { weights: { democratic: 10_000 } } } }));
  server = await startServer({ living: true, env: { WANGGE_CONFIG: config } });
  browser = await launchBrowser();
  await mkdir('test-results/e2e', { recursive: true });
  page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await openSignedIn(page, server.url, 'commander');
  await page.getByTestId('nav-command').click();
  await page.getByTestId('warnings-section').waitFor();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('warnings and evaluation for commanders', () => {
  it('lists a person who reached a threshold, issues a numbered notice and opens it', async () => {
    await page.getByTestId('warnings-section').locator('summary').first().click();
    const table = page.getByTestId('warnings-people');
    await table.waitFor({ timeout: 30_000 });
    // The first row is a person at a threshold (the list puts them first).
    const first = table.locator('tbody tr').first();
    expect(await first.getAttribute('data-level')).not.toBe('');
    const name = (await first.locator('td').first().textContent())!.trim();
    const personId = (await first.getAttribute('data-testid'))!.replace('warned-', '');

    await page.getByTestId(`issue-${personId}`).click();
    const popup = page.context().waitForEvent('page');
    await page.getByTestId(`issue-submit-${personId}`).click();
    // The screen then links to the notice issued.
    const link = first.locator('a[data-testid^="notice-"]');
    await link.waitFor({ timeout: 15_000 });
    const number = (await link.textContent())!.trim();
    expect(number).toMatch(/^〔\d{4}〕第 \d+ 号$/);
    const notice = await popup;
    await notice.waitForLoadState();
    const text = await notice.locator('body').innerText();
    expect(text).toContain('预警通知书');
    expect(text).toContain(number);
    expect(text).toContain(name);
    expect(text).toContain('签发人');
    await notice.screenshot({ path: 'test-results/e2e/warning-notice.png', fullPage: true });
    await page.getByTestId('warnings-section').screenshot({ path: 'test-results/e2e/warnings.png' });
    await notice.close();
  });

  it('filters the warnings by cell', async () => {
    const select = page.getByTestId('warnings-cell');
    const option = select.locator('option').nth(1);
    const [value, label] = [await option.getAttribute('value'), (await option.textContent())!.trim()];
    // "清姜社区 (12)": the cell and its warnings in the period.
    const cellName = label.replace(/ \(\d+\)$/, '');
    await select.selectOption(value!);
    await page.getByTestId('warnings-section').locator('details details summary').click();
    const cellsShown = () => page.getByTestId('warnings-list').locator('tbody tr td:nth-child(3)').allTextContents();
    await expect.poll(async () => [...new Set(await cellsShown())], { timeout: 15_000 }).toEqual([cellName]);
    await select.selectOption('');
  });

  it('ranks the cells, and a 民主测评 score entered inline changes the ranking', async () => {
    await page.getByTestId('evaluation-section').locator('summary').first().click();
    const rows = page.getByTestId('evaluation-cells').locator('tbody tr');
    await rows.first().waitFor({ timeout: 30_000 });
    const ranked = async () => rows.evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-testid')!.replace('evaluation-cell-', ''), rank: tr.getAttribute('data-rank') })));
    const before = (await ranked()).filter((r) => r.rank !== '');
    expect(before.length).toBeGreaterThan(1);
    const [top, last] = [before[0]!, before[before.length - 1]!];
    expect(Number(last.rank)).toBeGreaterThan(Number(top.rank));
    // The last gets 100, the first 0: with the raised weight the two change places.
    for (const [cell, score] of [[last, '100'], [top, '0']] as const) {
      await page.getByTestId(`democratic-${cell.id}`).fill(score);
      await page.getByTestId(`democratic-save-${cell.id}`).click();
      await expect.poll(async () => page.getByTestId(`democratic-${cell.id}`).inputValue(), { timeout: 15_000 }).toBe(score);
    }
    const rankOf = async (id: string) => Number((await ranked()).find((r) => r.id === id)!.rank);
    await expect.poll(() => rankOf(last.id), { timeout: 15_000 }).toBeLessThan(Number(last.rank));
    expect(await rankOf(last.id)).toBeLessThan(await rankOf(top.id));
    await page.getByTestId('evaluation-section').screenshot({ path: 'test-results/e2e/evaluation.png' });
  });

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
