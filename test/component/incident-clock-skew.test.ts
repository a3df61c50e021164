/**
 * A feed whose clock runs ahead of the host's (a device sending local time as UTC, within
 * input.maxFutureMs so its ticks are accepted) must not close every other group's incidents: the
 * event time incidents close on stops at the host clock. Before, the highest tick ts seen drove it,
 * so one series stamped two hours ahead closed each incident in the chunk that opened it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const SERIES = [['cpu-a', 'a', 0], ['mem-a', 'a', 0], ['clock-c', 'c', 2 * 3_600_000]] as const;

test('a series stamped ahead of the host clock does not close the incidents of other hosts', async (t) => {
  const t0 = Date.UTC(2025, 0, 1);
  // The host clock follows the feed: half a minute after each chunk's last tick (live traffic).
  t.mock.timers.enable({ apis: ['Date'], now: t0 });
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'label', label: 'host', spanMs: 5 * 60_000 } }, { sink, source: idleSource });
  const spikes: Record<string, number> = { 'cpu-a': 600, 'mem-a': 602 };
  let offset = 0;
  const feed = async (from: number, to: number) => {
    for (let k = from; k < to; k += 50) {
      const recs: RawRecord[] = [];
      t.mock.timers.setTime(t0 + (Math.min(to, k + 50) - 1) * 60_000 + 30_000);
      for (let i = k; i < Math.min(to, k + 50); i++) {
        SERIES.forEach(([id, host, ahead], s) => {
          let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
          if (spikes[id] === i) v += 80;
          recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: id, ts: t0 + i * 60_000 + ahead, value: v, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        });
      }
      await app.pipeline.handle(recs);
    }
  };
  const incidents = () => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'incident');
  try {
    await feed(0, 605); // two minutes after the second spike (span 5 min)
    assert.ok(incidents().length >= 1, 'host a has an incident');
    assert.deepEqual(incidents().map((r) => r.state), ['open'], 'still open two minutes after its last alert');
    assert.equal(app.serving.incidents!.list({ state: 'open', limit: 10 }).length, 1);
    await feed(605, 640); // its alerts resolve around minute 624, and quiet counts from then
    assert.deepEqual(incidents().map((r) => r.state), ['open', 'closed'], 'closed after the span of quiet');
  } finally {
    await app.stop();
  }
});
