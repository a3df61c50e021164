/**
 * Incidents close on each group's own clock: a feed whose event time lags the others by hours (a
 * slow site, a replayed partition, devices on a skewed clock) groups its alerts as it would alone.
 * Before, one instance-wide clock (the newest tick time of any series) closed the lagging host's
 * candidate in the chunk that opened it, so its alerts never made an incident.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const LAG = 3 * 3_600_000;
const SERIES = [['cpu-a', 'a', 0], ['mem-a', 'a', 0], ['cpu-l', 'l', LAG], ['mem-l', 'l', LAG]] as const;

test('a host whose feed lags the others by hours gets its incident, open and closed as on its own', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'label', label: 'host', spanMs: 5 * 60_000 } }, { sink, source: idleSource });
  const t0 = Date.UTC(2025, 0, 1);
  const spikes: Record<string, number> = { 'cpu-a': 600, 'mem-a': 602, 'cpu-l': 600, 'mem-l': 602 };
  let offset = 0;
  const feed = async (from: number, to: number) => {
    for (let k = from; k < to; k += 50) {
      const recs: RawRecord[] = [];
      for (let i = k; i < Math.min(to, k + 50); i++) {
        SERIES.forEach(([id, host, lag], s) => {
          let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
          if (spikes[id] === i) v += 80;
          recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: id, ts: t0 + i * 60_000 - lag, value: v, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        });
      }
      await app.pipeline.handle(recs);
    }
  };
  const incidents = (host: string) => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'incident' && r.group === host);
  try {
    await feed(0, 605); // two minutes after the second spike (span 5 min)
    for (const host of ['a', 'l']) {
      assert.deepEqual(incidents(host).map((r) => [r.state, r.series]), [['open', [`cpu-${host}`, `mem-${host}`]]], `host ${host}: one incident of both series, still open`);
    }
    assert.equal(app.serving.incidents!.list({ state: 'open', limit: 10 }).length, 2);
    await feed(605, 620);
    for (const host of ['a', 'l']) assert.deepEqual(incidents(host).map((r) => r.state), ['open', 'closed'], `host ${host}: closed after the span of quiet on its own clock`);
  } finally {
    await app.stop();
  }
});
