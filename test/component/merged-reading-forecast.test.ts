/**
 * A bridge publishing one record per reading ({temp}, then {hum}, at one ts) in one poll: the
 * forecast made at a tick is made on the window with the tick's merged humidity (since 7 Dec 2026,
 * src/pipeline/tick-reads.ts). Before, the window was read as the {temp} record was
 * pushed, so its last row carried the previous tick's humidity into every forecast — the target's
 * value one tick stale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2026, 11, 7);
const N = TEST_WINDOW + 8;

test('one record per reading in one poll: each forecast is made on a window holding the tick\'s merged reading, one forecast per tick', async () => {
  const sent: OutMessage[] = [];
  const app = await startTestApp({ input: { features: ['temp', 'hum'], targets: ['hum'], missingFeature: 'carry' } }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  const windows: Float32Array[] = [];
  const submit = app.inference.submit.bind(app.inference);
  app.inference.submit = (job) => {
    windows.push(job.x.slice());
    return submit(job);
  };
  try {
    let offset = 0;
    const rec = (series: string, k: number, values: Record<string, number>): RawRecord => ({
      key: Buffer.from(series),
      value: Buffer.from(JSON.stringify({ ts: T0 + k * 60_000, values })),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(offset++) },
      receivedAtMs: Date.now(),
    });
    const records: RawRecord[] = [rec('d1', 0, { temp: 20, hum: 40 }), rec('d2', 0, { temp: 20, hum: 40 })];
    // Humidity rises every tick, so a carried one repeats the row before; the two devices interleave.
    for (let k = 1; k < N; k++) records.push(rec('d1', k, { temp: 20 + (k % 3) }), rec('d2', k, { temp: 20 }), rec('d1', k, { hum: 40 + k }), rec('d2', k, { hum: 40 + 2 * k }));
    await app.pipeline.handle(records);
    const F = 2;
    const hum = (x: Float32Array, row: number) => x[row * F + 1];
    assert.equal(windows.length, 2 * (N - TEST_WINDOW + 1), 'a window per full tick of each device');
    windows.forEach((x, i) => assert.ok(hum(x, TEST_WINDOW - 1) > hum(x, TEST_WINDOW - 2), `window ${i}: last row's humidity (${hum(x, TEST_WINDOW - 1)}) is the tick's, not the one before (${hum(x, TEST_WINDOW - 2)})`));
    const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as { series: string; ts: number });
    assert.equal(forecasts.filter((f) => f.ts >= T0 + (TEST_WINDOW - 1) * 60_000).length, windows.length, "the model's, once the windows are full (cold-start baselines before)");
    assert.equal(new Set(forecasts.map((f) => `${f.series}@${f.ts}`)).size, forecasts.length, 'no tick forecast twice');
  } finally {
    await app.stop();
  }
});
