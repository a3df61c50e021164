/**
 * Zigbee2MQTT readings through the local broker over TCP, as a bridge forwards them: no time in the
 * payload, the device's friendly name as the record key (input.missingTs "kafka", since 7 Dec 2026;
 * before, every such record was dead-lettered TC_RECORD_BAD_TS "ts missing"). Each record's
 * CreateTime, set by the producer, comes back as its forecast's ts: the Kafka source passes the
 * record timestamp down to the decoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { startInputRig } from '../helpers/input-rig.ts';

const N = TEST_WINDOW + 3;

test('readings with no time (Zigbee2MQTT) are forecast at their Kafka record timestamps', async () => {
  const rig = await startInputRig('zigbee', { features: ['temperature', 'humidity'], targets: ['temperature'], fields: { series: 'series', ts: 'ts', values: '' }, missingTs: 'kafka' });
  const { topics, producer, collector, t0, model } = rig;
  try {
    const messages = Array.from({ length: N }, (_, k) => ({
      key: 'living-room',
      value: JSON.stringify({ battery: 100, humidity: 50 + k, linkquality: 134, temperature: 21 + Math.sin(k / 3), voltage: 3000 }),
      timestamp: String(t0 + k * 60_000), // the bridge's CreateTime
    }));
    await producer.send({ topic: topics.ticks, acks: -1, messages });
    const expected = N - TEST_WINDOW + 1;
    await collector.waitFor(() => model().length >= expected, 60_000, 'forecasts');
    await collector.settle(500);
    assert.deepEqual(collector.of(topics.dlq).map((d) => d.headers['tickcast-error-message']), [], 'nothing dead-lettered');
    const forecasts = model().map((f) => JSON.parse(String(f.value)) as { series: string; ts: number });
    assert.deepEqual(forecasts.map((f) => [f.series, f.ts]), Array.from({ length: expected }, (_, i) => ['living-room', t0 + (TEST_WINDOW - 1 + i) * 60_000]));
  } finally {
    await rig.close();
  }
});
