/**
 * A chunk whose outputs the sink did not acknowledge comes again (the source did not commit):
 * its forecasts, alerts and dead letters must come out then, though the pipeline had already
 * applied its records. And a dead letter the producer would refuse for its size must not stop
 * the partition. The real pipeline over the real (tiny, untrained) model.
 */
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';

const W = SMALL_SPEC.window;

function rec(i: number, value: string, partition = 0): RawRecord {
  return { key: Buffer.from('s'), value: Buffer.from(value), headers: {}, source: { topic: 't', partition, offset: String(i) }, receivedAtMs: 0 };
}
const tick = (i: number, partition = 0) => rec(i, JSON.stringify({ ts: 1_700_000_000_000 + i * 60_000, value: Math.sin(i / 3) + 10 }), partition);

async function setup(opts: { deadLetterMaxBytes?: number } = {}) {
  const ms = await createModelServing();
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 60_000_000, duplicatePolicy: 'drop', normHalfLifeTicks: 500 });
  const sent: OutMessage[] = [];
  let failures = 0;
  const pipeline = new StreamPipeline({
    store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: {
      send: async (m) => {
        if (failures > 0) {
          failures--;
          throw new Error('broker unavailable');
        }
        sent.push(...m);
      },
    },
    codec: { features: ['value'], maxRecordBytes: 2_000_000, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
    deadLetterMaxBytes: opts.deadLetterMaxBytes,
  });
  return { pipeline, sent, failNext: (n: number) => (failures = n), close: () => ms.close() };
}

test('outputs of a chunk whose send failed come out when the chunk is delivered again, once', async () => {
  const t = await setup();
  try {
    await t.pipeline.handle(Array.from({ length: W }, (_, i) => tick(i)));
    const before = t.sent.length;
    const chunk = [tick(W), rec(W + 1, 'not json'), tick(W + 2), tick(W + 3)];
    t.failNext(2);
    await assert.rejects(t.pipeline.handle(chunk), /broker unavailable/);
    await assert.rejects(t.pipeline.handle(chunk), /broker unavailable/, 'still failing: still kept');
    await t.pipeline.handle(chunk);
    const again = t.sent.slice(before);
    assert.equal(again.filter((m) => m.stream === 'forecasts').length, 3, 'a forecast for each of the three ticks');
    assert.equal(again.filter((m) => m.stream === 'dlq').length, 1, 'and the bad record dead-lettered, once');
    // Redelivered with more records after it (the next fetch reached further): the kept outputs, then the new tick.
    const n = t.sent.length;
    t.failNext(1);
    const next = [tick(W + 4), tick(W + 5)];
    await assert.rejects(t.pipeline.handle(next));
    await t.pipeline.handle([...next, tick(W + 6)]);
    const forecasts = t.sent.slice(n).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)).ts);
    assert.deepEqual(forecasts, [W + 4, W + 5, W + 6].map((i) => 1_700_000_000_000 + i * 60_000));
  } finally {
    await t.close();
  }
});

test('a chunk delivered again after its outputs were sent (exactly-once: the transaction aborted at commit) sends them again', async () => {
  const t = await setup();
  try {
    await t.pipeline.handle(Array.from({ length: W }, (_, i) => tick(i)));
    const chunk = [tick(W), tick(W + 1)];
    await t.pipeline.handle(chunk); // sent into a transaction that is then aborted: the source redelivers
    const n = t.sent.length;
    await t.pipeline.handle(chunk);
    const ts = t.sent.slice(n).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)).ts);
    assert.deepEqual(ts, [W, W + 1].map((i) => 1_700_000_000_000 + i * 60_000), 'the same forecasts again, not nothing');
    // Once the transport moves on, the kept outputs go.
    await t.pipeline.handle([tick(W + 2)]);
    const m = t.sent.length;
    await t.pipeline.handle(chunk);
    assert.equal(t.sent.slice(m).filter((x) => x.stream === 'forecasts').length, 0, 'an old chunk after the next one: duplicates, nothing kept for it');
  } finally {
    await t.close();
  }
});

test('a redelivery that does not line up with the kept outputs is processed as it comes', async () => {
  const t = await setup();
  try {
    await t.pipeline.handle(Array.from({ length: W }, (_, i) => tick(i)));
    t.failNext(1);
    await assert.rejects(t.pipeline.handle([tick(W), tick(W + 1)]));
    const n = t.sent.length;
    await t.pipeline.handle([tick(W + 1), tick(W + 2)]); // starts one offset later: not the kept chunk
    const ts = t.sent.slice(n).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)).ts);
    assert.deepEqual(ts, [1_700_000_000_000 + (W + 2) * 60_000], 'W+1 was applied already (a duplicate now); W+2 is new');
  } finally {
    await t.close();
  }
});

test('after a rebalance the partition is read again from before the committed offset (the plain replay): the kept outputs still come out, where their records are', async () => {
  const t = await setup();
  const at = (i: number) => 1_700_000_000_000 + i * 60_000;
  const warm = (i: number) => ({ ...tick(i), warmup: true });
  const forecastTs = (from: number) => t.sent.slice(from).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)).ts);
  try {
    await t.pipeline.handle(Array.from({ length: W + 2 }, (_, i) => tick(i)));
    t.failNext(1);
    await assert.rejects(t.pipeline.handle([tick(W + 2), tick(W + 3)]), /broker unavailable/);
    // Assigned again: the replay starts 4 records before the committed offset W + 2.
    let n = t.sent.length;
    await t.pipeline.handle([warm(W - 2), warm(W - 1)]); // ends before the kept records
    await t.pipeline.handle([warm(W), warm(W + 1), tick(W + 2), tick(W + 3), tick(W + 4)]);
    assert.deepEqual(forecastTs(n), [W + 2, W + 3, W + 4].map(at), 'W+2 and W+3 (kept), then W+4');

    // The same, with the kept chunk cut across two deliveries.
    t.failNext(1);
    await assert.rejects(t.pipeline.handle([tick(W + 5), tick(W + 6)]), /broker unavailable/);
    n = t.sent.length;
    await t.pipeline.handle([warm(W + 3), warm(W + 4), tick(W + 5)]);
    await t.pipeline.handle([tick(W + 6), tick(W + 7)]);
    assert.deepEqual(forecastTs(n), [W + 5, W + 6, W + 7].map(at));
  } finally {
    await t.close();
  }
});

// A chunk sent, its commit refused by a rebalance, the partition assigned back to the same member:
// the source resumes after that chunk (src/adapters/kafka/refused-chunks.ts), so its records come
// again as warm-up. Their outputs were acknowledged: not sent again (before 7 Dec 2026 they were).
test('a kept chunk whose records all come again as warm-up (its outputs acknowledged) is not sent again', async () => {
  const t = await setup();
  const warm = (i: number) => ({ ...tick(i), warmup: true });
  try {
    await t.pipeline.handle(Array.from({ length: W }, (_, i) => tick(i)));
    await t.pipeline.handle([tick(W), tick(W + 1)]); // sent; its commit then refused
    const n = t.sent.length;
    await t.pipeline.handle([warm(W - 1), warm(W), warm(W + 1)]);
    await t.pipeline.handle([tick(W + 2)]);
    const ts = t.sent.slice(n).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)).ts);
    assert.deepEqual(ts, [1_700_000_000_000 + (W + 2) * 60_000], 'only the new tick');
  } finally {
    await t.close();
  }
});

test('a dead letter larger than deadLetterMaxBytes keeps a marked prefix of its value, and its headers byte for byte', async () => {
  const t = await setup({ deadLetterMaxBytes: 10_000 });
  try {
    const big = Buffer.alloc(50_000, 0x61);
    const r: RawRecord = { ...rec(0, ''), value: big, originalHeaders: { bin: [Buffer.from([0xff, 0xfe])], dup: [Buffer.from('1'), Buffer.from('2')] }, headers: { bin: '\ufffd\ufffd', dup: '1' } };
    await t.pipeline.handle([r, rec(1, 'x'.repeat(100))]);
    const [cut, whole] = t.sent.filter((m) => m.stream === 'dlq');
    const size = (m: OutMessage) => (m.value as Buffer).length + (m.key?.length ?? 0) + Object.entries(m.headers).reduce((n, [k, v]) => n + k.length + [v].flat().reduce((s, x) => s + x.length, 0), 0);
    assert.ok(size(cut) <= 10_000, `the dead letter fits: ${size(cut)} bytes`);
    assert.equal(cut.headers['tickcast-value-truncated-from-bytes'], '50000');
    assert.equal(cut.headers['tickcast-value-sha256'], createHash('sha256').update(big).digest('hex'), 'the whole value can be recognised');
    assert.ok(big.subarray(0, (cut.value as Buffer).length).equals(cut.value as Buffer), 'the first bytes, unchanged');
    assert.ok((cut.value as Buffer).length > 9_000, 'most of the room is used');
    assert.equal(cut.headers['tickcast-error-code'], 'TC_RECORD_NOT_JSON');
    assert.deepEqual(cut.headers.bin, [Buffer.from([0xff, 0xfe])], 'a binary header stays binary');
    assert.deepEqual(cut.headers.dup, [Buffer.from('1'), Buffer.from('2')], 'a repeated header keeps every value');
    assert.equal(whole.headers['tickcast-value-truncated-from-bytes'], undefined, 'a small dead letter is whole');
    assert.equal(String(whole.value), 'x'.repeat(100));
  } finally {
    await t.close();
  }
});
