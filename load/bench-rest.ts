/**
 * REST benchmark (npm run bench:rest): autocannon against the real service over HTTP.
 *
 * The service is the whole app (buildApp) in embedded mode — no Kafka; the replay source stops
 * after a few ticks so the model serves HTTP only — with the model the service would use (engine
 * from TICKCAST_MODEL_ENGINE, default auto → ONNX when available; seeded weights, no bootstrap
 * training, which does not change the cost of a forward pass). POST /v1/predict goes through the
 * shared micro-batcher, so the batch sizes printed are the ones the load produced.
 *
 * Baseline, measured in the same run: a bare fastify server (no hooks, no schemas) with one
 * POST route that parses the same JSON body and returns a constant. ratio = predict / baseline.
 * Rate limiting is set out of reach and the event-loop shedding threshold raised, to measure
 * capacity rather than policy; non-2xx answers are counted and printed.
 *
 * Options (env): BENCH_DURATION_S (5 per point), BENCH_CONNECTIONS ("1,8,32,64"),
 * TICKCAST_MODEL_ENGINE (auto|onnx|tfjs).
 */
import { cpus } from 'node:os';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/load.ts';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/telemetry/logger.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,8,32,64').split(',').map(Number);
const ENGINE = (process.env.TICKCAST_MODEL_ENGINE ?? 'auto') as 'auto' | 'onnx' | 'tfjs';

interface Point {
  target: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function cannon(url: string, body: string, connections: number, target: string): Promise<Point> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: DURATION_S,
  });
  return {
    target,
    connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function main() {
  console.log(`# bench:rest — POST /v1/predict vs a trivial fastify route, ${DURATION_S} s per point, connections ${CONNECTIONS.join(', ')}`);
  console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}; autocannon runs in this process (same cores)`);

  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const config = loadConfig({
    env: {},
    overrides: {
      kafka: { brokers: [] },
      model: { bootstrapEpochs: 0, engine: ENGINE },
      embedded: { maxTicks: 10, ticksPerSecond: 1000, series: 1 },
      http: { host: '127.0.0.1', port: 0, rateLimitPerSecond: 1_000_000, rateLimitBurst: 1_000_000, eventLoopDelayP99Ms: 60_000 },
    },
  });
  const app = await buildApp(config, { logger: createLogger({ level: 'warn', name: 'bench', destination: process.env.BENCH_LOGS ? process.stderr : quiet }) });
  await app.start();
  const base = app.address()!;
  const spec = app.inference.spec;
  const predictor = app.inference.predictor;
  console.log(`# model ${predictor.version}: engine ${predictor.engine}/${predictor.backend}, window ${spec.window} × ${spec.features.length} feature(s), horizon ${spec.horizon}; batching max ${config.batching.maxBatchSize} windows, wait ${config.batching.maxWaitMs} ms`);

  const trivial = Fastify();
  trivial.post('/trivial', async () => ({ ok: true }));
  const trivialUrl = `${await trivial.listen({ host: '127.0.0.1', port: 0 })}/trivial`;

  // One realistic window (random walk), the same for every request.
  let v = 100;
  const window = Array.from({ length: spec.window }, () => (v += Math.sin(v) * 0.7));
  const body = JSON.stringify({ window: spec.features.length === 1 ? window : window.map((x) => spec.features.map(() => x)) });
  const check = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (check.status !== 200) throw new Error(`predict check failed: ${check.status} ${await check.text()}`);
  console.log(`# request body ${body.length} bytes; sample answer p50[1] = ${(await check.json()).horizon[0].p50.toFixed(3)}`);

  const batchHist = app.metrics.registry.getSingleMetric('tickcast_batch_size') as unknown as {
    get(): Promise<{ values: { metricName?: string; value: number; labels: Record<string, string | number> }[] }>;
  };
  const inferHist = app.metrics.registry.getSingleMetric('tickcast_inference_seconds') as unknown as typeof batchHist;
  const sumCount = async (h: typeof batchHist, name: string) => {
    const m = await h.get();
    return {
      sum: m.values.find((x) => x.metricName === `${name}_sum`)?.value ?? 0,
      count: m.values.find((x) => x.metricName === `${name}_count`)?.value ?? 0,
      buckets: m.values.filter((x) => x.metricName === `${name}_bucket`).map((x) => [String(x.labels.le), x.value] as const),
    };
  };
  const batchTotals = async () => ({ ...(await sumCount(batchHist, 'tickcast_batch_size')), inferSeconds: (await sumCount(inferHist, 'tickcast_inference_seconds')).sum });

  // warm-up (JIT, model first calls)
  await cannon(`${base}/v1/predict`, body, 8, 'warmup');

  const rows: string[] = [];
  rows.push('| connections | trivial req/s | trivial p50 / p99 ms | predict req/s | predict p50 / p99 ms | ratio (req/s) | mean batch | batches | model ms/batch | non-2xx |');
  rows.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of CONNECTIONS) {
    const t = await cannon(trivialUrl, body, c, 'trivial');
    const before = await batchTotals();
    const p = await cannon(`${base}/v1/predict`, body, c, 'predict');
    const after = await batchTotals();
    const batches = after.count - before.count;
    const meanBatch = batches > 0 ? (after.sum - before.sum) / batches : 0;
    const modelMs = batches > 0 ? ((after.inferSeconds - before.inferSeconds) * 1000) / batches : 0;
    const dist = after.buckets
      .map(([le, n], i) => [le, n - (before.buckets[i]?.[1] ?? 0)] as const)
      .map(([le, n], i, arr) => [le, n - (i > 0 ? arr[i - 1][1] : 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([le, n]) => `≤${le}:${n}`)
      .join(' ');
    console.log(
      `c=${String(c).padStart(2)}  trivial ${t.rps.toFixed(0).padStart(6)} req/s p50 ${t.p50} ms p99 ${t.p99} ms | predict ${p.rps.toFixed(0).padStart(5)} req/s p50 ${p.p50} ms p99 ${p.p99} ms ` +
        `(${p.ok} ok, ${p.non2xx} non-2xx, ${p.errors} errors) | ratio ${(p.rps / t.rps).toFixed(3)} | batches ${batches}, mean ${meanBatch.toFixed(1)} windows [${dist}], model ${modelMs.toFixed(1)} ms/batch`,
    );
    rows.push(`| ${c} | ${t.rps.toFixed(0)} | ${t.p50} / ${t.p99} | ${p.rps.toFixed(0)} | ${p.p50} / ${p.p99} | ${(p.rps / t.rps).toFixed(3)} | ${meanBatch.toFixed(1)} | ${batches} | ${modelMs.toFixed(1)} | ${p.non2xx + p.errors} |`);
  }
  console.log('\n' + rows.join('\n'));
  await trivial.close();
  await app.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
