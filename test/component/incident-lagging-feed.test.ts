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
    const resolved = (host: string) => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert' && r.state === 'resolved' && r.series.endsWith(`-${host}`));
    assert.equal(resolved('a').length, 0, 'host a: its alerts still fire (they resolve around minute 624)');
    assert.deepEqual(incidents('a').map((r) => r.state), ['open'], 'host a: open while its alerts fire, long after the span');
    await feed(620, 640);
    for (const host of ['a', 'l']) assert.deepEqual(incidents(host).map((r) => r.state), ['open', 'closed'], `host ${host}: closed after the span of quiet on its own clock`);
  } finally {
    await app.stop();
  }
});

test('the incident of a host whose feed stops closes after incidents.idleCloseMs of wall time while other hosts tick', async (t) => {
  const t0 = Date.UTC(2025, 0, 1);
  t.mock.timers.enable({ apis: ['Date'], now: t0 });
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'label', label: 'host', spanMs: 5 * 60_000, idleCloseMs: 20 * 60_000 } }, { sink, source: idleSource });
  const spikes: Record<string, number> = { 'cpu-l': 600, 'mem-l': 602 };
  let offset = 0;
  /** Minutes [from, to) of the feed, 10 a chunk; host l's feed stops after `lStops`; the host clock at `wall(i)`. */
  const feed = async (from: number, to: number, lStops: number, wall: (i: number) => number) => {
    for (let k = from; k < to; k += 10) {
      const recs: RawRecord[] = [];
      t.mock.timers.setTime(wall(Math.min(to, k + 10) - 1));
      for (let i = k; i < Math.min(to, k + 10); i++) {
        SERIES.forEach(([id, host], s) => {
          if (host === 'l' && i >= lStops) return;
          let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
          if (spikes[id] === i) v += 80;
          recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: id, ts: t0 + i * 60_000, value: v, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        });
      }
      await app.pipeline.handle(recs);
    }
  };
  const states = () => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'incident' && r.group === 'l').map((r) => r.state);
  try {
    await feed(0, 600, Infinity, (i) => t0 + i * 60_000); // live: the host clock follows the feed
    await feed(600, 604, 604, (i) => t0 + 600 * 60_000 + (i - 600) * 60_000);
    assert.deepEqual(states(), ['open'], 'host l: both spikes in one incident');
    await feed(604, 624, 604, (i) => t0 + 600 * 60_000 + (i - 600) * 60_000); // 20 min: not idle yet
    assert.deepEqual(states(), ['open'], 'host l stopped: its own clock stands still, so no quiet closes it');
    await feed(624, 640, 604, (i) => t0 + 600 * 60_000 + (i - 600) * 60_000);
    assert.deepEqual(states(), ['open', 'closed'], 'closed once idle for more than idleCloseMs while host a ticks');
  } finally {
    await app.stop();
  }
});
