/**
 * Plain warm-up (records replayed before the committed offset on assignment, no snapshot: a
 * rebalance moved the partition here, or a pod restarted on an empty disk) rebuilds the detector's
 * state with the windows: a spike right after the hand-over fires (no new learning period), and an
 * alert that fired before the hand-over resolves here. Nothing is emitted for warm-up records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const value = (k: number) => 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;

function records(from: number, to: number, warmup: boolean, at: (k: number) => number = value): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    const rec: RawRecord = { key: Buffer.from('s'), value: Buffer.from(JSON.stringify({ series: 's', ts: T0 + k * 60_000, value: at(k) })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(k) }, receivedAtMs: Date.now() };
    if (warmup) rec.warmup = true;
    out.push(rec);
  }
  return out;
}

async function withApp(fn: (handle: (r: RawRecord[]) => Promise<void>, sent: OutMessage[]) => Promise<void>): Promise<void> {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource });
  try {
    await fn(async (r) => app.pipeline.handle(r), sent);
  } finally {
    await app.stop();
  }
}

const alerts = (sent: OutMessage[]) => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as { state: string; ts: number });

test('a spike right after a plain warm-up fires: the detector learned during the replay', async () => {
  await withApp(async (handle, sent) => {
    for (let k = 0; k < 300; k += 50) await handle(records(k, k + 50, true));
    assert.equal(sent.length, 0, 'warm-up records emit nothing');
    await handle(records(300, 320, false, (k) => (k === 305 ? value(k) + 80 : value(k))));
    const firing = alerts(sent).filter((a) => a.state === 'firing');
    assert.ok(firing.some((a) => a.ts === T0 + 305 * 60_000), `alerts: ${JSON.stringify(alerts(sent))}`);
  });
});

test('an alert that fired during the replayed stretch resolves after the hand-over', async () => {
  await withApp(async (handle, sent) => {
    for (let k = 0; k < 300; k += 50) await handle(records(k, k + 50, true, (j) => (j === 295 ? value(j) + 80 : value(j))));
    assert.equal(sent.length, 0, 'warm-up records emit nothing');
    for (let k = 300; k < 400; k += 20) await handle(records(k, k + 20, false));
    const got = alerts(sent);
    assert.ok(got.some((a) => a.state === 'resolved'), `alerts: ${JSON.stringify(got)}`);
    assert.ok(!got.some((a) => a.state === 'firing'), 'nothing new fired');
  });
});
