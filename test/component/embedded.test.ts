/**
 * The whole app in-process in embedded mode (what `npm start` runs without Kafka): the bundled
 * sample is replayed through the real pipeline and model; HTTP answers on a real socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink } from '../../src/pipeline/ports.ts';
import { isCold, modelVersionOf } from '../helpers/forecasts.ts';

class MemorySink implements OutputSink {
  readonly messages: OutMessage[] = [];
  async send(m: OutMessage[]): Promise<void> {
    this.messages.push(...m);
  }
}

test('embedded replay: forecasts for every eligible tick, health, readiness and metrics over HTTP', async () => {
  const sink = new MemorySink();
  const series = 3;
  const steps = 120;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const app = await startTestApp({ embedded: { series, ticksPerSecond: 0, maxTicks: series * steps } }, { sink });
  try {
    // The replay hands over whole steps; wait until it has sent maxTicks and the pipeline drained.
    const t0 = Date.now();
    const all = () => sink.messages.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
    // A series' first window − 2 forecasts are cold-start baselines; from its window's tick on,
    // one per tick: the model's, or a baseline that did better on the series (fusion.*).
    const model = () => all().filter((f) => !isCold(f));
    while (model().length < series * (steps - TEST_WINDOW + 1) && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    done();
    await finished;
    const forecasts = model();
    assert.equal(forecasts.length, series * (steps - TEST_WINDOW + 1));
    // Cold start: each series got a baseline forecast for its ticks 2 … window−1, marked as such.
    const baseline = all().filter(isCold);
    assert.equal(baseline.length, series * (TEST_WINDOW - 2));
    assert.ok(baseline.every((f) => f.model === 'baseline:naive'));
    const version = app.model.predictor.version;
    assert.ok(forecasts.every((f) => modelVersionOf(f) === version), `labels: ${[...new Set(forecasts.map((f) => f.model))]}`);
    // Forecasts are in the series' own units (de-normalised): near the sample's level.
    const recent = app.serving.getSeries('nyc_taxi-0')!;
    const last = recent.window.values.value.at(-1)!;
    const f0 = forecasts.filter((f) => f.series === 'nyc_taxi-0').at(-1);
    assert.ok(Math.abs(f0.horizon[0].p50 - last) < 5 * Math.abs(last), `p50 ${f0.horizon[0].p50} vs last ${last}`);

    const base = app.address()!;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const count = Number(/^tickcast_forecasts_total (\d+)/m.exec(metrics)?.[1]);
    assert.equal(count, forecasts.length, 'metric counts the model forecasts emitted');
    assert.match(metrics, /tickcast_batch_size_bucket/);
    assert.match(metrics, /tickcast_model_info\{version="[^"]+",engine="onnx",backend="cpu"\} 1/);

    const pred = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ series: 'nyc_taxi-1' }) });
    assert.equal(pred.status, 200, await pred.clone().text());
    const body = await pred.json();
    assert.equal(body.series, 'nyc_taxi-1');
    assert.ok(body.horizon[0].p10 <= body.horizon[0].p50 && body.horizon[0].p50 <= body.horizon[0].p90);
  } finally {
    await app.stop();
  }
  assert.equal(app.state(), 'stopped');
  const after = await fetch(`${app.address()}/healthz`).catch((e) => e);
  assert.ok(after instanceof Error, 'HTTP closed after stop');
});

test('stop() twice returns the same promise and readiness flips while draining', async () => {
  const app = await startTestApp({ embedded: { series: 1, ticksPerSecond: 20, maxTicks: 0 } });
  const a = app.stop();
  const b = app.stop();
  assert.equal(a, b);
  assert.equal(app.serving.health().ready, false);
  await a;
  assert.equal(app.state(), 'stopped');
});

test('embedded replay with input.fields set: the replay writes the documented shape, which it still reads (input.fields describes the topic)', async () => {
  const sink = new MemorySink();
  const app = await startTestApp({ embedded: { series: 2, ticksPerSecond: 0, maxTicks: 40 }, input: { fields: { series: 'device_id', ts: 'timestamp', values: '' } } }, { sink });
  try {
    const t0 = Date.now();
    const accepted = async () => Number(/^tickcast_ticks_total\{result="accepted"\} (\d+)$/m.exec(await (await fetch(`${app.address()}/metrics`)).text())?.[1] ?? 0);
    while ((await accepted()) < 40 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await accepted(), 40);
    assert.deepEqual(sink.messages.filter((m) => m.stream === 'dlq'), []);
  } finally {
    await app.stop();
  }
});
