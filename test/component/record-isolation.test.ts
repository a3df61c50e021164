/**
 * No poison pill inside the pipeline: a record whose processing throws is dead-lettered alone
 * (TC_RECORD_PROCESSING_FAILED, original bytes kept) and the rest of its chunk is processed;
 * an undecodable-batch stand-in becomes one TC_RECORD_UNDECODABLE dead letter with its range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('a record that throws is dead-lettered alone; the chunk goes on; skipped offsets become one dead letter', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource });
  try {
    const rec = (series: string, i: number): RawRecord => ({
      key: Buffer.from(series),
      value: Buffer.from(JSON.stringify({ series, ts: Date.UTC(2025, 0, 1) + i * 60_000, value: 10 + Math.sin(i) })),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(i) },
      receivedAtMs: Date.now(),
    });
    // The window store throws for one series (a stand-in for any per-record bug).
    const store = app.store;
    const push = store.push.bind(store);
    store.push = (series, ...rest) => {
      if (series === 'boom') throw new Error('simulated per-record failure');
      return push(series, ...rest);
    };
    const records: RawRecord[] = [];
    for (let i = 0; i < TEST_WINDOW + 3; i++) records.push(rec('ok', i));
    records.splice(5, 0, rec('boom', 999));
    records.push({ key: null, value: null, headers: {}, source: { topic: 'ticks', partition: 0, offset: '2000' }, receivedAtMs: Date.now(), undecodable: { lastOffset: '2004', reason: 'test' } });
    await app.pipeline.handle(records);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.deepEqual(dlq.map((d) => d.headers['tickcast-error-code']).sort(), ['TC_RECORD_PROCESSING_FAILED', 'TC_RECORD_UNDECODABLE']);
    const failed = dlq.find((d) => d.headers['tickcast-error-code'] === 'TC_RECORD_PROCESSING_FAILED')!;
    assert.match(String(failed.headers['tickcast-error-message']), /simulated per-record failure/);
    assert.equal(String(failed.value), String(records[5].value), 'original bytes');
    const skipped = dlq.find((d) => d.headers['tickcast-error-code'] === 'TC_RECORD_UNDECODABLE')!;
    assert.equal(skipped.headers['tickcast-source-offset'], '2000');
    assert.equal(skipped.headers['tickcast-source-offset-end'], '2004');
    const modelForecasts = sent.filter((m) => m.stream === 'forecasts' && !String(m.value).includes('"model":"baseline:'));
    assert.equal(modelForecasts.length, 4, 'the good series still forecast (window 16, 19 ticks → 4 model forecasts)');
  } finally {
    await app.stop();
  }
});
