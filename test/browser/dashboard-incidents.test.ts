/**
 * The Incidents panel during an incident: each member series opens in the chart with one click,
 * and a wide incident lists its first ten members and how many more (until 6 Dec 2026 the
 * members were one line of plain text, every series joined, and none could be opened from it).
 * Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncidentsApi } from '../../src/pipeline/ports.ts';
import { build } from '../unit/http/support/build.ts';
import { TrendServing } from '../unit/http/support/trend-serving.ts';
import { launchChromium, skip } from './chromium.ts';

const t0 = Date.UTC(2026, 11, 6);
const members = Array.from({ length: 15 }, (_, i) => `web-${String(i).padStart(2, '0')}`);

class WithIncident extends TrendServing {
  readonly incidents: IncidentsApi = {
    list: () => [{
      kind: 'incident', id: 'inc-1', group: 'web', groupBy: 'prefix', state: 'open', severity: 'critical',
      firstTs: t0, lastTs: t0 + 60_000, series: members, alerts: [], count: 15,
    }],
  };
}

test('incident members open in the chart; a wide incident lists ten and says how many more', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build({}, new WithIncident());
  for (const id of members) for (let i = 0; i < 5; i++) serving.ingest(id, t0 + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?series=web-00`);
    await page.waitForFunction(() => document.querySelectorAll('#incident-list li button').length > 0, null, { timeout: 15_000 });
    const li = page.locator('#incident-list li').first();
    assert.equal(await li.locator('button').count(), 10);
    assert.match(await li.textContent() ?? '', /15 alerts on 15 series: .* \+5 more$/);

    await li.locator('button[data-series="web-07"]').click();
    await page.waitForFunction(() => location.search === '?series=web-07', null, { timeout: 5000 });
    assert.equal(await page.evaluate(() => (document.getElementById('series') as HTMLSelectElement).value), 'web-07');
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    serving.ingest('web-07', t0 + 5000, 106);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 6, null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
