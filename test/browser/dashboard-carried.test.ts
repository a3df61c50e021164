/**
 * input.missingFeature carry on the dashboard, on the real app: values carried forward for a
 * feature the device stopped sending are not drawn as readings but apart (dashed grey), with a
 * note naming the feature and how many ticks lacked it ("hum: no reading for 4 ticks, carrying
 * last value") — from the window read (window.carried counts ticks: a slot filled in for a
missed reading inside the run is none) and from live ticks; a reading sent late in
 * its own record and merged into its tick (tick-again.ts) reaches the page as a `merged` tick event
 * and is drawn in place of the carried value. Until 6 Dec 2026 carried values were drawn as
 * readings. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { launchChromium, skip } from './chromium.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const t0 = Date.UTC(2026, 11, 6);

test('carried values of a feature the device stopped sending are drawn apart, with a note, live too; a merged late reading replaces one', { skip, timeout: 120_000 }, async () => {
  const app = await startTestApp({ input: { features: ['temp', 'hum'], targets: ['temp'], missingFeature: 'carry' } }, { source: idleSource });
  let offset = 0;
  const tick = (k: number, values: Record<string, number>): RawRecord => ({
    key: Buffer.from('dev-1'),
    value: Buffer.from(JSON.stringify({ ts: t0 + k * 60_000, values })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: Date.now(),
  });
  // 100 ticks a minute apart with humidity (its clock learned), then 4 without and a reading missed
  // among them (102: filled in, no tick of the run). The window's 16 slots: ticks 89–99 (11 readings),
  // the carried 100 and 101, the filled 102, the carried 103 and 104.
  const ticks = Array.from({ length: 105 }, (_, k) => tick(k, k < 100 ? { temp: 20 + (k % 7), hum: 40 + (k % 5) } : { temp: 20 }));
  await app.pipeline.handle(ticks.filter((_, k) => k !== 102));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${app.address()}/?series=dev-1&feature=hum`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 20_000 });
    const drawn = () => page.evaluate(`(() => {
      const s = window.tickcastDashboard, el = document.getElementById('chart'), note = document.getElementById('carried-note');
      return { feature: el.dataset.feature, points: Number(el.dataset.points), carried: s.carried ? [...s.carried.values()] : [], note: note && !note.hidden ? note.textContent : '' };
    })()`) as Promise<{ feature: string; points: number; carried: number[]; note: string }>;
    assert.deepEqual(await drawn(), { feature: 'hum', points: 11, carried: [44, 44, 44, 44], note: 'hum: no reading for 4 ticks, carrying last value' }, 'the window read: 11 readings, 4 carried values drawn apart, the filled slot not drawn');
    assert.deepEqual(app.serving.getSeries('dev-1')?.window.filled, [13], 'tick 102 was filled in');

    await app.pipeline.handle([tick(105, { temp: 21 })]); // live: still no humidity
    await page.waitForFunction(() => /for 5 ticks/.test(document.getElementById('carried-note')?.textContent ?? ''), null, { timeout: 10_000 });
    assert.deepEqual(await drawn(), { feature: 'hum', points: 11, carried: [44, 44, 44, 44, 44], note: 'hum: no reading for 5 ticks, carrying last value' }, 'a live tick without it');

    await app.pipeline.handle([tick(105, { hum: 70 })]); // its humidity, late in a record of its own: merged into tick 105
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 12, null, { timeout: 10_000 });
    assert.deepEqual(await drawn(), { feature: 'hum', points: 12, carried: [44, 44, 44, 44], note: '' }, 'the merged reading is drawn as one; the run is over');
    assert.deepEqual(app.serving.getSeries('dev-1')?.window.carried, {}, 'as the API says');

    await app.pipeline.handle([tick(106, { temp: 22, hum: 71 })]);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 13, null, { timeout: 10_000 });
    assert.deepEqual(await drawn(), { feature: 'hum', points: 13, carried: [44, 44, 44, 44], note: '' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.stop();
  }
});
