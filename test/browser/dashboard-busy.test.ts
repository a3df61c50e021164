/**
 * The dashboard when every live-stream slot is taken (503 + Retry-After: 5): the page waits the
 * Retry-After before it asks again, and says why, instead of retrying every 2 s (each retry now
 * also re-reads the series, so a full server would get three requests per page every 2 s); once
 * a slot is free the stream opens. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';


test('a full server: the page waits Retry-After between stream attempts, then connects when a slot frees', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build({ sse: { maxClients: 1 } });
  for (let i = 0; i < 20; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const holder = await fetch(`${base}/v1/events`); // takes the only slot
  assert.equal(holder.status, 200);
  for (let i = 0; i < 100 && serving.listenerCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const attempts: number[] = [];
    let retried: () => void = () => undefined;
    const secondAttempt = new Promise<void>((r) => (retried = r));
    page.on('request', (r) => {
      if (!r.url().includes('/v1/events')) return;
      attempts.push(Date.now());
      if (attempts.length === 2) retried();
    });
    await page.goto(`${base}/?series=AAPL`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'error', null, { timeout: 15_000 });
    assert.match((await page.textContent('#status')) ?? '', /server busy \(HTTP 503\), retrying in 5 s/);
    // The retry comes 5–6.25 s after the first attempt (Retry-After plus up to a quarter's jitter):
    // wait for it, not for a fixed time (a loaded machine's page timer may fire later).
    const second = await Promise.race([secondAttempt.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000).unref())]);
    assert.ok(second, `retried: ${attempts.length}`);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    assert.ok(gaps.every((g) => g >= 4500), `each retry waited the 5 s Retry-After: gaps ${gaps.join(', ')} ms`);

    await holder.body?.cancel(); // the slot frees
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    assert.equal(await page.textContent('#status'), '', 'the busy note is cleared');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
    await holder.body?.cancel().catch(() => undefined);
  }
});
