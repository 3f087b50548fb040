import { launchBrowser, startServer } from '../../tests/helpers/e2e.ts';
const server = await startServer();
const browser = await launchBrowser();
try {
  for (let i = 0; i < 5; i++) await fetch(`${server.url}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: { type: 'Point', coordinates: [107.1 + i * 0.001, 34.35] }, category: i ? 'fire' : 'environment', severity: 'major', description: '测试' }) }).then((r) => console.log('filed', r.status));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60000 });
  await page.getByTestId('sign-in').click();
  await page.locator('dialog input[name=username]').fill('commander');
  await page.locator('dialog input[name=password]').fill('demo1234');
  await page.locator('dialog button[type=submit]').click();
  await page.getByTestId('user-menu').waitFor();
  await page.evaluate(() => { window.location.hash = '#/command?category=environment'; });
  await page.waitForTimeout(2000);
  console.log('--- reload');
  await page.reload();
  await page.waitForTimeout(15000);
  console.log('ready?', await page.evaluate(() => document.body.dataset.mapReady));
} finally { await browser.close(); await server.stop(); }
