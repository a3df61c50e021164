/**
 * AWS IoT device-shadow documents through the local broker over TCP, as an IoT rule's Kafka action
 * forwards them (`SELECT * FROM '$aws/things/+/shadow/update'`, no record key): the readings under
 * state.reported, the device in clientToken, a timestamp in epoch seconds from one firmware and in
 * ms from another on the same topic (input.fields paths and input.tsUnit "auto", since 7 Dec 2026;
 * before, no setting read these records and every one was dead-lettered). A desired-only update and
 * a reading sent as text are dead-lettered with their reason and original bytes; every reading is
 * forecast under its device's id, with its ts in ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { produce } from '../helpers/kafka.ts';
import { startInputRig } from '../helpers/input-rig.ts';

const N = TEST_WINDOW + 3;

test('device shadows (state.reported, clientToken, seconds and ms on one topic): readings forecast per device, bad documents dead-lettered with reason and bytes', async () => {
  const rig = await startInputRig('shadows', { features: ['temp', 'humidity'], targets: ['temp'], fields: { series: 'clientToken', ts: 'timestamp', values: 'state.reported' }, tsUnit: 'auto' });
  const { topics, producer, collector, t0, model } = rig;
  try {
    // dev-s stamps epoch seconds, dev-ms epoch ms (another firmware).
    const stamp = { 'dev-s': (ms: number) => ms / 1000, 'dev-ms': (ms: number) => ms } as const;
    const doc = (dev: keyof typeof stamp, k: number, state: object) => JSON.stringify({ state, metadata: {}, version: k + 1, timestamp: stamp[dev](t0 + k * 60_000), clientToken: dev });
    const msgs: Array<{ key: string | null; value: string }> = [];
    const bad = [
      { value: doc('dev-s', 2.5, { desired: { led: 'on' } }), code: 'TC_RECORD_MISSING_FEATURE', reason: 'neither "state.reported" (object) nor "value" (number) present; "state" has no "reported"' },
      { value: doc('dev-ms', 2.5, { reported: { temp: '21.5', humidity: 40 } }), code: 'TC_RECORD_BAD_VALUE', reason: 'feature "temp" in "state.reported" must be a finite number; got "21.5" (a number in a string: send it as a JSON number, unquoted)' },
    ];
    for (let k = 0; k < N; k++) {
      for (const [d, dev] of (['dev-s', 'dev-ms'] as const).entries()) msgs.push({ key: null, value: doc(dev, k, { reported: { temp: 20 + d + Math.sin(k / 3), humidity: 40 + k } }) });
      if (k === 2) msgs.push(...bad.map((b) => ({ key: null, value: b.value })));
    }
    await produce(producer, topics.ticks, msgs);
    const expected = 2 * (N - TEST_WINDOW + 1);
    await collector.waitFor(() => collector.of(topics.dlq).length >= bad.length && model().length >= expected, 60_000, 'dead letters and forecasts');
    await collector.settle(1000);
    const dlq = collector.of(topics.dlq);
    assert.deepEqual(
      dlq.map((d) => [String(d.value), d.headers['tickcast-error-code'], d.headers['tickcast-error-message']]),
      bad.map((b) => [b.value, b.code, b.reason]),
      'each bad document dead-lettered once, with its original bytes and where it went wrong',
    );
    const forecasts = model().map((f) => JSON.parse(String(f.value)) as { series: string; ts: number });
    assert.equal(forecasts.length, expected, 'every reading of both devices forecast');
    for (const dev of ['dev-s', 'dev-ms']) {
      assert.deepEqual(forecasts.filter((f) => f.series === dev).map((f) => f.ts), Array.from({ length: N - TEST_WINDOW + 1 }, (_, i) => t0 + (TEST_WINDOW - 1 + i) * 60_000), `${dev}: its ticks at their time in ms`);
    }
  } finally {
    await rig.close();
  }
});
