/**
 * A fleet of multivariate sensors through the local broker over TCP (Kafka mode, so the
 * service's own codec settings apply, input.maxFutureMs included): odd series keys, ISO and epoch
 * timestamps, a device whose clock jumped to 2099, a first reading missing a feature, a reading
 * with none of the features, a ts in epoch seconds. Each bad record is dead-lettered once with its
 * reason and original bytes; every good reading is forecast; nothing is dropped as late.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { produce } from '../helpers/kafka.ts';
import { startInputRig } from '../helpers/input-rig.ts';

const N = TEST_WINDOW + 4;

test('multivariate sensor records: bad ones dead-lettered with reason and bytes, the rest forecast, no series frozen', async () => {
  const rig = await startInputRig('sensors', { features: ['temp', 'hum', 'vib'], targets: ['temp'], missingFeature: 'carry' }, { tickPartitions: 3, config: { anomaly: { features: 'all' } } });
  const { topics, producer, collector, app, t0, model } = rig;
  try {
    const devices = ['site-1/hall:env', 'dev@plant.2', 'rack_7-b'];
    const reading = (d: number, k: number) => ({ temp: 20 + d + Math.sin(k / 3), hum: 40 + Math.cos(k / 5), vib: 0.1 * (1 + (k % 3)) });
    const msgs: Array<{ key: string; value: string }> = [];
    const bad: Array<{ key: string; value: string; code: string; reason: RegExp }> = [
      { key: devices[0], value: JSON.stringify({ ts: '2099-01-01T00:00:00Z', values: reading(0, 99) }), code: 'TC_RECORD_BAD_TS', reason: /ahead of when it was sent/ },
      { key: devices[1], value: JSON.stringify({ ts: t0 - 60_000, values: { temp: 21, vib: 0.1 } }), code: 'TC_RECORD_MISSING_FEATURE', reason: /"hum" missing and series "dev@plant\.2" has no earlier value/ },
      { key: devices[2], value: JSON.stringify({ ts: t0 + 30_000, values: { Temp: 22, Humidity: 41 } }), code: 'TC_RECORD_MISSING_FEATURE', reason: /none of the configured features/ },
      { key: devices[2], value: JSON.stringify({ ts: Math.floor((t0 + 90_000) / 1000), values: reading(2, 1) }), code: 'TC_RECORD_BAD_TS', reason: /epoch seconds/ },
    ];
    msgs.push(bad[1]);
    for (let k = 0; k < N; k++) {
      for (let d = 0; d < devices.length; d++) {
        const ts = d === 1 ? new Date(t0 + k * 60_000).toISOString() : t0 + k * 60_000;
        // Device 1 sends hum only on even readings (carried forward on odd ones).
        const values: Record<string, number> = reading(d, k);
        if (d === 1 && k % 2 === 1) delete values.hum;
        msgs.push({ key: devices[d], value: JSON.stringify({ ts, values }) });
      }
      if (k === 3) msgs.push(bad[0], bad[2], bad[3]);
    }
    await produce(producer, topics.ticks, msgs);
    const expected = devices.length * (N - TEST_WINDOW + 1);
    await collector.waitFor(() => collector.of(topics.dlq).length >= bad.length && model().length >= expected, 60_000, 'dead letters and forecasts');
    await collector.settle(1500);
    const dlq = collector.of(topics.dlq);
    assert.equal(dlq.length, bad.length, 'each bad record dead-lettered once');
    for (const b of bad) {
      const d = dlq.find((x) => String(x.value) === b.value);
      assert.ok(d, `dead letter with the original bytes: ${b.value}`);
      assert.equal(d.key, b.key);
      assert.equal(d.headers['tickcast-error-code'], b.code, b.value);
      assert.match(d.headers['tickcast-error-message'], b.reason);
    }
    const forecasts = model().map((f) => JSON.parse(String(f.value)) as { series: string; horizon: Array<Record<string, number>> });
    assert.equal(forecasts.length, expected, 'every good reading of every device forecast');
    assert.deepEqual([...new Set(forecasts.map((f) => f.series))].sort(), [...devices].sort());
    assert.ok(forecasts.every((f) => f.horizon.every((s) => Number.isFinite(s.p50))), 'finite forecasts');
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.doesNotMatch(metrics, /^tickcast_ticks_total\{result="late"\} [1-9]/m, 'no reading dropped as late');
  } finally {
    await rig.close();
  }
});
