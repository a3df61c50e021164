/**
 * POST /v1/series/{id}/reset is durable across a restart (7 Dec 2026, night). Through the real
 * broker and the real app: a SenML sensor reads in Cel, a periodic snapshot holds it, the operator
 * resets it (re-configured to K), and the instance dies before its next periodic snapshot (the file
 * a crash leaves is put back after the stop). Before, no snapshot was written at the reset: the
 * restart restored the series from the old one — its Cel unit, window and detector — and the K pack
 * was dead-lettered TC_RECORD_UNIT_MISMATCH again. Now the reset writes one: the restart does not
 * know the series, and the K pack starts it afresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_WINDOW } from '../helpers/app.ts';
import { startRestartRig } from '../helpers/restart-rig.ts';
import { until } from '../helpers/poll.ts';

const KEY = 'reset-test-key-0123456789';
const N = TEST_WINDOW + 4;

test('a series reset survives a crash before the next periodic snapshot: its new unit is taken after the restart', { timeout: 180_000 }, async () => {
  const rig = await startRestartRig('reset', { tickPartitions: 1, watch: ['forecasts', 'dlq'] });
  const { topics, producer, c, dir } = rig;
  const config = { ...rig.config, input: { format: 'senml' as const, features: ['temp'], targets: ['temp'] }, http: { apiKeys: [KEY] } };
  const file = path.join(dir, 'model', 'series-state', 'series-state.snap');
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000;
  const pack = (i: number, u: string, v: number) => ({ key: 'gw-1', value: JSON.stringify([{ bn: 'dev:', bt: t0 / 1000 + i * 60, n: 'temp', u, v }]) });
  const forecastAt = (ts: number) => c.of(topics.forecasts).some((f) => { const r = JSON.parse(String(f.value)); return r.series === 'dev:temp' && r.ts === ts; });
  try {
    const app1 = await rig.start(config);
    await producer.send({ topic: topics.ticks, acks: -1, messages: Array.from({ length: N }, (_, i) => pack(i, 'Cel', 21 + Math.sin(i / 3))) });
    await c.waitFor(() => forecastAt(t0 + (N - 1) * 60_000), 60_000, 'the Cel readings forecast');
    assert.equal((await app1.snapshots!.snapshot())?.series, 1, 'the periodic snapshot holds the Cel series');

    const res = await fetch(`${app1.address()}/v1/series/dev:temp/reset`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { series: 'dev:temp', resolvedAlerts: [], resolvesSent: true, snapshotWritten: true });
    const atCrash = readFileSync(file); // what a crash now leaves
    await app1.stop();
    writeFileSync(file, atCrash);

    const app2 = await rig.start(config);
    assert.equal(app2.snapshots!.status().start.loaded, true, 'the restart loaded the snapshot');
    const k = t0 + N * 60_000;
    await producer.send({ topic: topics.ticks, acks: -1, messages: [pack(N, 'K', 294.15)] });
    // Handled: dead-lettered (the restored Cel series), or the series holds the K reading alone (reset).
    await until(() => c.of(topics.dlq).length > 0 || app2.serving.getSeries('dev:temp')?.lastTs === k, 60_000, 'the K pack handled');
    assert.deepEqual(c.of(topics.dlq).map((d) => String(d.headers['tickcast-error-message'])), [], 'the K pack is not dead-lettered: the restart kept the series reset');
    const view = await (await fetch(`${app2.address()}/v1/series/dev:temp`)).json();
    assert.equal(view.ticks, 1, 'the series holds the K reading alone (before: the restored Cel window)');
  } finally {
    await rig.close();
  }
});
