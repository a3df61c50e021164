/**
 * A feed outage through the whole app: a series whose ticks stop for a while and come back is
 * counted on tickcast_series_gaps_total once per outage and per scored feature, the value it comes
 * back with (the level moved meanwhile) does not fire an alert, and the other series are untouched.
 * Single readings the feed lost (every 37th minute before the outages) are counted on
 * tickcast_series_missed_readings_total instead, and filled into h1's window (windows.fillMissed:
 * the 9 single readings; the outages of 40 and 90 minutes are longer than its 8 and stay gaps),
 * where the series view marks them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
/** Ticks k of h1 in these spans never arrive (two outages of 40 and 90 minutes). */
const OUTAGES: Array<[number, number]> = [[450, 490], [560, 650]];
/** Single readings of h1 lost: k = 111, 148, … 370 (8) before the outages, and 740 (in the last window). */
const lost = (k: number): boolean => (k >= 100 && k < 400 && k % 37 === 0) || k === 740;

function chunk(from: number, to: number, offset: { n: number }): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    for (const series of ['h0', 'h1']) {
      if (series === 'h1' && (lost(k) || OUTAGES.some(([a, b]) => k >= a && k < b))) continue;
      // A daily-ish cycle on a drift of 0.1 per minute: after an outage the level has moved.
      const cpu = 50 + 0.1 * k + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
      const value = Buffer.from(JSON.stringify({ series, ts: T0 + k * 60_000, values: { cpu } }));
      out.push({ key: Buffer.from(series), value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset.n++) }, receivedAtMs: Date.now() });
    }
  }
  return out;
}

async function run(gapFactor?: number, fillMissed?: number): Promise<{ metrics: string; firingAfterOutage: number; h1Slots: number; filledTs: number[] }> {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const windows = fillMissed === undefined ? {} : { fillMissed };
  const app = await startTestApp({ input: { features: ['cpu'], targets: ['cpu'] }, windows, anomaly: gapFactor === undefined ? {} : { gapFactor } }, { sink, source: idleSource });
  try {
    const offset = { n: 0 };
    for (let from = 0; from < 750; from += 50) await app.pipeline.handle(chunk(from, from + 50, offset));
    const firing = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as { series: string; ts: number; state: string });
    const afterOutage = firing.filter((a) => a.state === 'firing' && a.series === 'h1' && OUTAGES.some(([, b]) => a.ts >= T0 + b * 60_000 && a.ts < T0 + (b + 5) * 60_000));
    const list = (await (await fetch(`${app.address()}/v1/series`)).json()) as { items: { id: string; ticks: number }[] };
    const h1Slots = list.items.find((e) => e.id === 'h1')!.ticks;
    const { window } = (await (await fetch(`${app.address()}/v1/series/h1`)).json()) as { window: { ts: number[]; filled: number[] } };
    const filledTs = window.filled.map((i) => window.ts[i]);
    return { metrics: await (await fetch(`${app.address()}/metrics`)).text(), firingAfterOutage: afterOutage.length, h1Slots, filledTs };
  } finally {
    await app.stop();
  }
}

test('a feed back from an outage: counted once per outage on tickcast_series_gaps_total, no alert for having moved', async () => {
  const on = await run();
  assert.match(on.metrics, /^tickcast_series_gaps_total\{feature="cpu"\} 2$/m);
  assert.match(on.metrics, /^tickcast_series_missed_readings_total\{feature="cpu"\} 9$/m);
  assert.equal(on.firingAfterOutage, 0);
  // 750 minutes, 139 readings never came (9 + 40 + 90): 611 ticks, + the 9 single ones filled in.
  assert.equal(on.h1Slots, 620);
  assert.equal((await run(undefined, 48)).h1Slots, 660, 'fillMissed 48 fills the 40-minute outage too');
  assert.deepEqual(on.filledTs, [T0 + 740 * 60_000], 'the series view marks the filled reading, at its clock time');
  const unfilled = await run(undefined, 0);
  assert.equal(unfilled.h1Slots, 611, 'windows.fillMissed 0: ticks as they came');
  assert.deepEqual(unfilled.filledTs, []);
  // Control: with gap handling off nothing is counted, and the comebacks fire.
  const off = await run(0);
  assert.doesNotMatch(off.metrics, /^tickcast_series_gaps_total\{feature="cpu"\} [1-9]/m);
  assert.doesNotMatch(off.metrics, /^tickcast_series_missed_readings_total\{feature="cpu"\} [1-9]/m);
  assert.ok(off.firingAfterOutage >= 1, `without gap handling the comeback fires (${off.firingAfterOutage})`);
});
