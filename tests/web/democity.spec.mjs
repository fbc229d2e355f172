// The second demo city: `serve --demo --demo-city xianyang` sets 咸阳 up through the
// same files and paths a bureau uses, and the portal is that city's alone: its name,
// its 14 districts and counties, and no other city's name anywhere on the public pages
// (北京时间, the time zone, is fine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert, apiClient, startServer } from './lib.mjs';

// 北京时间, the time zone every time is given in, is not a city.
const OTHER_CITIES = /北京(?!时间)|Beijing|朝阳区|海淀/;

test('the Xianyang demo is Xianyang on every public page', async (ctx) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecohub-xianyang-'));
  const server = await startServer({
    bin: ctx.bin, work, logDir: path.join(ctx.out, 'xianyang'),
    extraArgs: ['--demo-city', 'xianyang', '--demo-history-days', '2'],
  });
  try {
    const api = apiClient(server.base);
    const city = (await api('/api/v1/public/city')).json;
    assert.equal(city.name, '咸阳市');
    assert.equal(city.code, '610400');
    const districts = (await api('/api/v1/public/city/districts')).json.features;
    assert.equal(districts.length, 14, 'its 14 districts and counties');
    assert.ok(districts.some((f) => f.properties.name === '彬州市'), '彬县 is 彬州市 since 2018');
    const ranking = (await api('/api/v1/public/aqi/ranking?level=district&period=hour')).json;
    assert.ok(ranking.items.length > 0, 'the districts have an AQI from the seeded history');

    for (const [route, ready] of [['/', '[data-ready="home"]'], ['/water', '[data-page="water"]'],
      ['/enterprises', '[data-page="enterprises"]']]) {
      const page = await ctx.page({ viewport: route === '/' ? 'desktop' : 'phone', base: server.base });
      await page.goto(route);
      await page.waitForSelector(ready, { timeout: 30000 });
      await page.waitForFunction(() => !document.querySelector('.state.loading'), null, { timeout: 30000 });
      const body = await page.locator('body').innerText();
      assert.ok(body.includes('咸阳'), `${route} names the city`);
      assert.doesNotMatch(body, OTHER_CITIES, `${route} names no other city`);
      if (route === '/') {
        await page.locator('[data-test="rank-row"]').first().waitFor();
        assert.equal(await page.locator('[data-test="rank-row"]').count(), ranking.items.length);
        await page.locator('[data-test="station-map"] canvas').waitFor({ timeout: 30000 });
      }
      await ctx.shot(page, `xianyang${route === '/' ? '-home' : route.replace('/', '-')}`);
      ctx.assertClean(page);
    }
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
