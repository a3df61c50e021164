/**
 * SenML packs (RFC 8428) through the local broker over TCP, as a gateway batches them (input.format
 * "senml", since 7 Dec 2026; before, every pack was dead-lettered TC_RECORD_INVALID "value must be a
 * JSON object"). One record carries the readings of two devices as relative times (bt + t); each
 * reading becomes a tick of its resolved name (bn + n) and is forecast; a malformed pack goes to the
 * dead-letter topic whole, with its reason and bytes, and none of its readings is taken; a string
 * value is skipped and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { startInputRig } from '../helpers/input-rig.ts';

const N = TEST_WINDOW + 3;

test('SenML packs: every reading of every series forecast, a malformed pack dead-lettered whole', async () => {
  const rig = await startInputRig('senml', { format: 'senml', features: ['temp'], targets: ['temp'] });
  const { topics, producer, collector, app, t0, model } = rig;
  try {
    const devices = ['urn:dev:mac:0024befffe804ff1:', 'urn:dev:mac:0024befffe804ff2:'];
    // One pack per device (the RFC's bn/bt/bv), the readings a minute apart, plus a status string.
    const packs = devices.map((bn, d) => [
      { bn, bt: t0 / 1000, bu: 'Cel', bv: 20 + d, n: 'temp', v: Math.sin(0) },
      ...Array.from({ length: N - 1 }, (_, k) => ({ n: 'temp', t: (k + 1) * 60, v: Math.sin((k + 1) / 3) })),
      { n: 'state', vs: 'ok' },
    ]);
    const bad = JSON.stringify([{ bn: devices[0], bt: t0 / 1000 + 30, n: 'temp', v: 1 }, { n: 'temp', t: 60, v: 'warm' }]);
    await producer.send({ topic: topics.ticks, acks: -1, messages: [{ key: 'gw-1', value: bad }, ...packs.map((p) => ({ key: 'gw-1', value: JSON.stringify(p) }))] });
    const expected = devices.length * (N - TEST_WINDOW + 1);
    await collector.waitFor(() => collector.of(topics.dlq).length >= 1 && model().length >= expected, 60_000, 'dead letter and forecasts');
    await collector.settle(500);
    const dlq = collector.of(topics.dlq);
    assert.equal(dlq.length, 1, 'only the malformed pack dead-lettered');
    assert.equal(String(dlq[0].value), bad, 'with its original bytes');
    assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_BAD_VALUE');
    assert.equal(dlq[0].headers['tickcast-error-message'], 'SenML record 1: v must be a number; got "warm"');
    const forecasts = model().map((f) => JSON.parse(String(f.value)) as { series: string; ts: number });
    const times = Array.from({ length: N - TEST_WINDOW + 1 }, (_, i) => t0 + (TEST_WINDOW - 1 + i) * 60_000);
    for (const bn of devices) assert.deepEqual(forecasts.filter((f) => f.series === `${bn}temp`).map((f) => f.ts), times, bn);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /^tickcast_senml_skipped_total\{reason="not_numeric"\} 2$/m);
    assert.match(metrics, /^tickcast_ticks_total\{result="accepted"\} 38$/m);
  } finally {
    await rig.close();
  }
});
