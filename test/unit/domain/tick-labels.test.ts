import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTick, type CodecOptions } from '../../../src/domain/tick-codec.ts';

const opts: CodecOptions = { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[\w:.-]+$/, missingFeature: 'reject' };
const dec = (o: unknown) => decodeTick(null, Buffer.from(JSON.stringify(o)), opts);

test('optional string labels travel with the tick; absent labels add nothing', () => {
  const r = dec({ series: 'web-1:cpu', ts: 1_700_000_000_000, value: 1, labels: { host: 'web-1', dc: 'fra' } });
  assert.ok(r.ok);
  assert.deepEqual(r.tick.labels, { host: 'web-1', dc: 'fra' });
  const plain = dec({ series: 'a', ts: 1_700_000_000_000, value: 1 });
  assert.ok(plain.ok && !('labels' in plain.tick));
});

test('bad labels are dead-lettered with a message that says what to send', () => {
  for (const labels of [['web-1'], 'web-1', { host: 7 }, { host: '' }, Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))]) {
    const r = dec({ series: 'a', ts: 1_700_000_000_000, value: 1, labels });
    assert.ok(!r.ok, JSON.stringify(labels));
    assert.equal(r.error.code, 'TC_RECORD_INVALID');
    assert.match(r.error.message, /"labels" must be an object of up to 16 string labels/);
  }
});
