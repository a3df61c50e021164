/**
 * The dashboard when its API key stops being accepted: the server re-reads its keys file
 * (http.apiKeysReloadMs), ends the live stream opened with the removed key (`revoked`), and the
 * page says so and stops reconnecting (before: it retried every 2 s forever, each retry a 401);
 * entering a valid key brings the live stream back. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';

const OLD = 'dashboard-key-old-0123456789';
const NEW = 'dashboard-key-new-0123456789';

test('a revoked key ends the dashboard\'s live stream: the page says why and stops retrying; a valid key resumes it', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-dash-keys-'));
  const file = join(dir, 'api-keys');
  writeFileSync(file, OLD);
  const { app, serving } = await build({ apiKeys: [OLD], apiKeysFile: file, apiKeysReloadMs: 50, requireAuthForReads: true });
  for (let i = 0; i < 20; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let streamRequests = 0;
    page.on('request', (r) => {
      if (r.url().includes('/v1/events')) streamRequests++;
    });
    await page.goto(`${base}/?series=AAPL`);
    await page.fill('#api-key', OLD);
    await page.dispatchEvent('#api-key', 'change');
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });

    writeFileSync(file, NEW); // the operator removes the old key from the Secret
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'refused', null, { timeout: 10_000 });
    const status = await page.textContent('#status');
    assert.match(status ?? '', /no longer accepted/);
    const after = streamRequests;
    await new Promise((r) => setTimeout(r, 3000)); // past the 2 s reconnect delay
    assert.equal(streamRequests, after, 'no reconnect with a revoked key');

    await page.fill('#api-key', NEW);
    await page.dispatchEvent('#api-key', 'change');
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
