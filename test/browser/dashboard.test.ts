/**
 * The live dashboard in a real browser: Debian's chromium driven by playwright-core. Asserts that
 * the chart renders the points of a series (actual and forecast), and that an anomaly marker
 * appears — in the DOM counters and as red pixels on the canvas — after a spike tick arrives over
 * SSE. Saves artifacts/dashboard.png. Skips (with a message) when /usr/bin/chromium is missing:
 * install it with `apt-get install -y chromium`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { build } from '../unit/http/support/build.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../artifacts/', import.meta.url);
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test`;

test('dashboard renders a series with forecast band and shows an anomaly marker after a live spike', { skip, timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const { app, serving } = await build();
  const t0 = Date.UTC(2026, 10, 21, 2, 0, 0);
  let x = 7;
  const noise = () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648 - 0.5);
  for (let i = 0; i < 80; i++) serving.ingest('AAPL', t0 + i * 1000, 100 + 0.05 * i + noise() + 0.5 * Math.sin(i / 10));
  assert.equal(serving.recentAnomalies({ limit: 10 }).length, 0, 'precondition: no anomaly in the seeded data');
  serving.ingest('MSFT', t0, 300);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => {
      if (!r.url().includes('/v1/events')) errors.push(`request failed: ${r.url()}`);
    });
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) external.push(r.url());
    });
    await page.goto(`${base}/?series=AAPL`);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 80, null, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });

    const before = await page.evaluate(() => {
      const el = document.getElementById('chart')!;
      return {
        points: Number(el.dataset.points),
        forecast: Number(el.dataset.forecastPoints),
        anomalies: Number(el.dataset.anomalies),
        version: document.getElementById('model-version')!.textContent,
        options: Array.from(document.querySelectorAll<HTMLOptionElement>('#series option'), (o) => o.value),
        canvases: document.querySelectorAll('#chart canvas').length,
      };
    });
    assert.equal(before.points, 80);
    assert.ok(before.forecast >= 8, `forecast points ${before.forecast}`);
    assert.equal(before.anomalies, 0);
    assert.equal(before.version, 'trend-v2');
    assert.deepEqual(before.options, ['AAPL', 'MSFT']);
    assert.equal(before.canvases, 1);

    const redPixels = () =>
      page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>('#chart canvas')!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 60 && d[i + 3] > 200) n++;
        return n;
      });
    const nonBlank = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#chart canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 180 && d[i] < 80 && d[i + 3] > 200) blue++;
      return blue;
    });
    assert.ok(nonBlank > 100, `actual line drawn (${nonBlank} blue pixels)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard-before.png', ARTIFACTS).pathname, fullPage: true });
    const redBefore = await redPixels();
    assert.ok(redBefore < 10, `no anomaly marker before the spike (${redBefore} red pixels)`);

    // Inject a spike: the serving layer scores it against the last forecast band and raises an alert.
    serving.ingest('AAPL', t0 + 80_000, 140);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.anomalies) === 1, null, { timeout: 10_000 });
    await page.waitForTimeout(100);
    const red = await redPixels();
    assert.ok(red > redBefore + 40, `anomaly marker drawn (${red} red pixels, ${redBefore} before)`);
    const listed = await page.locator('#anomaly-list li').allTextContents();
    assert.equal(listed.length, 1);
    assert.match(listed[0], /critical\s+value 140\.000/);

    // A forecast naming steps in hours the series is closed (closedSteps): those future steps are not drawn.
    assert.equal(await page.evaluate(() => document.getElementById('chart')!.dataset.futurePoints), '8');
    serving.ingest('AAPL', t0 + 81_000, 104, [2, 3, 4]);
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.futurePoints === '5', null, { timeout: 10_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(external, [], 'no request leaves the server (no CDN)');
  } finally {
    await browser.close();
    await app.close();
  }
});
