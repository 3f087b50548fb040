import { launchBrowser, startServer } from '../../tests/helpers/e2e.ts';
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const [w, h, name, hash, user] of [[375, 740, 'phone-map', '#/map', ''], [1400, 900, 'command', '#/command', 'commander']] as const) {
    const ctx = await browser.newContext({ viewport: { width: w, height: h }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
    page.on('pageerror', (e) => console.log('pageerror:', e.message));
    if (user) {
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60000 });
      await page.getByTestId('sign-in').click();
      await page.locator('dialog input[name=username]').fill(user);
      await page.locator('dialog input[name=password]').fill('demo1234');
      await page.locator('dialog button[type=submit]').click();
      await page.getByTestId('user-menu').waitFor();
    }
    if (user) await page.evaluate((h) => { window.location.hash = h; }, hash); else await page.goto(server.url + '/' + hash);
    await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60000 });
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `/tmp/${name}.png` });
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
