/**
 * Readings a feed read on a clock missed, through the stream pipeline (windows.fillMissed): the
 * window store fills them into the model's window, the learner is told how many were filled
 * before each tick (so its training windows match those served), and forecast steps stay on the
 * feed's clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { OutMessage, TickObservation } from '../../../src/pipeline/ports.ts';
import { createModelServing } from '../http/support/model-serving.ts';

const T0 = 1_700_000_000_000;
const STEP = 60_000;
const LOST = new Set([70, 71, 90, 100, 101, 102]);

function rec(i: number): RawRecord {
  const value = 20 + 5 * Math.sin(i / 4);
  return { key: Buffer.from('s'), value: Buffer.from(JSON.stringify({ ts: T0 + i * STEP, value })), headers: {}, source: { topic: 't', partition: 0, offset: String(i) }, receivedAtMs: 0 };
}

async function run(fillMissed: number): Promise<{ seen: TickObservation[]; forecasts: { ts: number; horizon: { ts: number }[] }[]; slots: number }> {
  const ms = await createModelServing({ fillMissed });
  const sent: OutMessage[] = [];
  const seen: TickObservation[] = [];
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m) => void sent.push(...m) },
    codec: { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
    learner: { observe: (o) => void seen.push(o), forget: () => {} },
  });
  try {
    for (let i = 0; i < 120; i++) if (!LOST.has(i)) await pipeline.handle([rec(i)]);
  } finally {
    await ms.close();
  }
  const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
  return { seen, forecasts, slots: ms.store.ticks('s') };
}

test('missed readings through the pipeline: filled into the window, the learner told how many, forecast steps on the clock', async () => {
  const on = await run(48);
  const filled = new Map(on.seen.filter((o) => (o.filled ?? 0) > 0).map((o) => [(o.ts - T0) / STEP, o.filled]));
  assert.deepEqual([...filled], [[72, 2], [91, 1], [103, 3]]);
  assert.equal(on.slots, 120, '114 ticks + 6 filled readings');
  for (const f of on.forecasts) f.horizon.forEach((s, k) => assert.equal(s.ts, f.ts + (k + 1) * STEP));
  assert.ok(on.forecasts.length > 50);
  // fillMissed 0: ticks as they come, nothing reported filled.
  const off = await run(0);
  assert.equal(off.slots, 114);
  assert.ok(off.seen.every((o) => !o.filled));
});
