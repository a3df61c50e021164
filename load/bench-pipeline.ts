/**
 * Pipeline benchmark (npm run bench:pipeline): N ticks for S series through the local broker.
 *
 *  1. baseline: the service's client (librdkafka) produces and consumes N records raw (no
 *     processing) — msg/s; a plain kafkajs consumer (the test harness' client) reads them too;
 *  2. throughput: tickcast drains the backlog (decode → window → micro-batched model → produce
 *     forecasts with acks → commit) — ticks/s and the ratio to (1);
 *  3. latency: ticks produced at a fixed rate below capacity — tick→forecast p50/p99 from the
 *     broker append time of the tick to the forecast being produced (the `latencyMs` field).
 *
 * The drain is timed from the service's start to every tick's offset committed: the service
 * commits a chunk only after every output of it is acknowledged (the delivery contract,
 * src/pipeline/stream-pipeline.ts), so that is the moment every forecast has been delivered. The
 * forecasts are then read back and counted with the clock stopped: a consumer reading them while
 * the clock runs would take its CPU from the service's two cores (the harness' kafkajs consumer
 * was 16–18 % of the main thread's busy time in a CPU profile). BENCH_LIVE_COLLECTOR=1 reads them
 * during the drain instead (the method before 5 Dec 2026).
 *
 * Each drain also prints a timeline (the service's own counters, polled every 25 ms): when the first
 * tick was taken in (start-up: connect, group join, first fetch), when the first forecast came, and
 * when S × (window − 1) ticks — as many as only fill the windows, no forecast in either drain — were
 * taken in. At the default 100 ticks a series those are 63 % of the input, at 300 ticks 21 %: a cost
 * both drains pay alike, the reason the ratio is lower at 100k ticks (docs/benchmarks.md).
 *
 * Each drain also prints the whole process's CPU time over it (process.cpuUsage: every thread — the
 * main thread, the ONNX serving threads, librdkafka's threads, libuv's pool, V8's helpers — checked
 * against /proc/self/stat, with a breakdown by thread from /proc/self/task), forecasts per CPU-second,
 * and the ratio of that between the drains after the wall-clock ratio: "per core" read as CPU time,
 * which does not count a thread's waits for a core (wall time does; load still slows each
 * CPU-second somewhat). The wall-clock figures are printed first and unchanged.
 *
 * Options (env): BENCH_TICKS (100000), BENCH_SERIES (1000), BENCH_RATE (ticks/s for phase 3,
 * default 50% of measured throughput), BENCH_STRIDE (1), TICKCAST_MODEL_ENGINE (onnx),
 * BENCH_FETCH_WAIT_MS (50: kafka.fetchMaxWaitMs for the service; see below), BENCH_ONNX_WORKERS
 * (model.onnxWorkers, serving threads; unset: the service's default, auto; batching.maxInFlightBatches
 * is set to at least the threads), BENCH_CONFIG (JSON: config sections laid over the bench's, for
 * both drains, e.g. '{"batching":{"maxInFlightBatches":3}}'), BENCH_LATENCY (0: skip phase 3).
 */
import { cpus } from 'node:os';
import { Writable } from 'node:stream';
import { startBroker, uniqueName } from '../test/helpers/broker.ts';
import type { Admin } from 'kafkajs';
import { Collector, connectProducer, produce, testKafka } from '../test/helpers/kafka.ts';
import { loadConfig } from '../src/config/load.ts';
import { servingThreads } from '../src/model/onnx/serving-threads.ts';
import { buildApp } from '../src/app.ts';
import { librdkafkaRates } from './kafka-client-baseline.ts';
import { cpuSince, cpuSnapshot, type CpuDelta } from './process-cpu.ts';
import { createLogger } from '../src/telemetry/logger.ts';

const N = Number(process.env.BENCH_TICKS ?? 100_000);
const S = Number(process.env.BENCH_SERIES ?? 1000);
const STRIDE = Number(process.env.BENCH_STRIDE ?? 1);
const ENGINE = (process.env.TICKCAST_MODEL_ENGINE ?? 'onnx') as 'onnx' | 'tfjs';
// The local broker answers a fetch only when data is there at request time or at the fetch's
// max wait (real Kafka answers as soon as data arrives), so latency here is bounded by this.
const FETCH_WAIT = Number(process.env.BENCH_FETCH_WAIT_MS ?? 50);
// Same-run baseline: drain once with the per-step model (patch length 1) before the default (BENCH_BASELINE=0 skips it).
const BASELINE = process.env.BENCH_BASELINE !== '0';
const ONNX_WORKERS: number | 'auto' = process.env.BENCH_ONNX_WORKERS === undefined ? 'auto' : Number(process.env.BENCH_ONNX_WORKERS);
const THREADS = servingThreads(ONNX_WORKERS);
const LIVE_COLLECTOR = process.env.BENCH_LIVE_COLLECTOR === '1';
// Phase 3 (paced latency); BENCH_LATENCY=0 ends the run after the drains.
const LATENCY = process.env.BENCH_LATENCY !== '0';
// Config sections laid over the bench's own for both drains, e.g. '{"batching":{"maxInFlightBatches":3}}'.
const EXTRA: Record<string, Record<string, unknown>> = JSON.parse(process.env.BENCH_CONFIG ?? '{}');
const over = (section: string, base: Record<string, unknown>) => ({ ...base, ...EXTRA[section] });

/** Records of `topic` the group has committed (the sum of its next offsets; the topic starts at 0). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Input records the service has taken in so far, whatever their outcome (tickcast_ticks_total). */
async function ticksTakenIn(app: Awaited<ReturnType<typeof buildApp>>): Promise<number> {
  return (await app.metrics.ticks.get()).values.reduce((n, v) => n + v.value, 0);
}

/**
 * Waits (25 ms polls of the service's own counters, in-process reads) until all N ticks are taken
 * in, noting when (seconds after `t0`) the first tick was taken in, the first forecast emitted, and
 * the S × (window − 1) ticks that only fill windows (no forecast in either drain) were taken in
 * (with the main thread's CPU seconds then, process.threadCpuUsage).
 */
async function takeInTimeline(app: Awaited<ReturnType<typeof buildApp>>, t0: number): Promise<{ firstTickS: number; firstForecastS: number; filledS: number; allInS: number; cpuAtFillS: number | null }> {
  const fill = S * (app.inference.spec.window - 1);
  const tl = { firstTickS: NaN, firstForecastS: NaN, filledS: NaN, allInS: NaN, cpuAtFillS: null as number | null };
  for (let taken = 0; taken < N; taken = await ticksTakenIn(app)) {
    const now = (performance.now() - t0) / 1000;
    if (taken > 0 && Number.isNaN(tl.firstTickS)) tl.firstTickS = now;
    if (taken >= fill && Number.isNaN(tl.filledS)) [tl.filledS, tl.cpuAtFillS] = [now, mainThreadCpu()];
    if (Number.isNaN(tl.firstForecastS) && (await app.metrics.forecasts.get()).values[0]?.value) tl.firstForecastS = now;
    await new Promise((r) => setTimeout(r, 25));
  }
  tl.allInS = (performance.now() - t0) / 1000;
  return tl;
}

function ticks(n: number, series: number, t0: number, startIdx = 0) {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = startIdx; i < startIdx + n; i++) {
    const s = i % series;
    const t = Math.floor(i / series);
    const id = `sensor-${s}`;
    out.push({ key: id, value: JSON.stringify({ series: id, ts: t0 + t * 1000, value: 50 + 10 * Math.sin(t / 10 + s) + (i % 7) / 7 }) });
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface DrainResult {
  app: Awaited<ReturnType<typeof buildApp>>;
  /** Forecasts the drain produced (what the forecasts topic holds). */
  forecasts: number;
  drainS: number;
}
const rates: { forecastsPerS: number; modelWindowsPerS: number; forecastsPerCpuS: number; cpuS: number }[] = [];

/** Seconds busy so far: the main thread's event loop and the ONNX serving threads together (the service's own counters). */
async function busySeconds(app: Awaited<ReturnType<typeof buildApp>>): Promise<{ main: number; serving: number }> {
  const [main, serving] = await Promise.all([app.metrics.eventLoopBusySeconds.get(), app.metrics.onnxBusySeconds.get()]);
  return { main: main.values[0]?.value ?? 0, serving: serving.values[0]?.value ?? 0 };
}
/** The main thread's CPU seconds so far (process.threadCpuUsage, Node ≥ 23.9; null before). */
function mainThreadCpu(): number | null {
  const f = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (!f) return null;
  const u = f.call(process);
  return (u.user + u.system) / 1e6;
}
const pctOf = (busyS: number, wallS: number) => `${Math.round((100 * busyS) / wallS)} %`;

/**
 * The drain's CPU time in the whole process (every thread: main, ONNX serving, librdkafka, libuv,
 * V8's helpers; the broker is a separate process and not in it), forecasts per CPU-second, and the
 * threads it went to: "per core" as CPU time, which waits for a core do not count in.
 */
function printProcessCpu(proc: CpuDelta, produced: number, drainS: number): void {
  const check = proc.procS === null ? '' : `; /proc/self/stat utime+stime ${proc.procS.toFixed(2)} s`;
  console.log(`           process CPU during the drain ${proc.rusageS.toFixed(2)} s (user ${proc.userS.toFixed(2)}, system ${proc.systemS.toFixed(2)}${check}) = ${(proc.rusageS / drainS).toFixed(2)} cores busy on average: ${Math.round(produced / proc.rusageS)} forecasts per process CPU-second (process.cpuUsage, every thread)`);
  if (proc.byName.length === 0) return;
  const parts = proc.byName.filter((n) => n.cpuS >= 0.005).map((n) => `${n.name}${n.threads > 1 ? ` ×${n.threads}` : ''} ${n.cpuS.toFixed(2)}`);
  if (proc.endedS !== null && proc.endedS >= 0.005) parts.push(`threads ended meanwhile ${proc.endedS.toFixed(2)}`);
  console.log(`           by thread (CPU s, /proc/self/task): ${parts.join(', ')}`);
}

/** Phase 2 for one model variant: a fresh service (own group, own forecasts topic) drains the backlog. */
async function drain(variant: { name: string; patchLength: number }, brokers: string[], kafka: ReturnType<typeof testKafka>, prefix: string, topic: string, baseRate: number): Promise<DrainResult> {
  const tag = variant.patchLength === 1 ? 'p1' : 'def';
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'warn',
      kafka: over('kafka', { brokers, groupId: `${prefix}-svc-${tag}`, fromBeginning: true, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fetchMaxWaitMs: FETCH_WAIT }),
      topics: { ticks: topic, forecasts: `${prefix}.forecasts.${tag}`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.dlq` },
      windows: over('windows', { stride: STRIDE, restoreRecordsPerPartition: 0 }),
      model: over('model', { bootstrapEpochs: 0, engine: ENGINE, patchLength: variant.patchLength, onnxWorkers: ONNX_WORKERS }),
      batching: over('batching', { maxInFlightBatches: Math.max(2, THREADS) }),
      coldStart: { enabled: false }, // model forecasts only: the bench measures the model path
      http: { enabled: false },
      telemetry: { defaultMetrics: false },
    },
  });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const app = await buildApp(config, { logger: createLogger({ level: 'warn', name: 'bench', destination: process.env.BENCH_LOGS ? process.stderr : quiet }) });
  const W = app.inference.spec.window;
  const expected = S * Math.floor((Math.floor(N / S) - W) / STRIDE + 1);
  const groupId = `${prefix}-svc-${tag}`;
  const admin = kafka.admin();
  await admin.connect();
  const collect = () => Collector.start(kafka, [`${prefix}.forecasts.${tag}`], `${prefix}-collect-${tag}`);
  const live = LIVE_COLLECTOR ? await collect() : null;
  let tl: Awaited<ReturnType<typeof takeInTimeline>> | null = null;
  const busy0 = await busySeconds(app);
  const cpu0 = mainThreadCpu();
  const proc0 = cpuSnapshot();
  const t = performance.now();
  await app.start();
  if (live) await live.waitFor(() => live.items.length >= expected, 600_000, `${expected} forecasts`);
  else {
    // The service's own tick counter first (an in-process read), the broker's committed offsets
    // only once every tick has been taken in: asking the broker every 25 ms for the whole drain
    // (the harness' kafkajs admin, in the service's process) took 5 % of the main thread's busy
    // time in a CPU profile of the patched drain — CPU the service needs. The end is still
    // found within 25 ms of the last commit.
    tl = await takeInTimeline(app, t);
    for (let done = 0; done < N; done = await committed(admin, groupId, topic)) await new Promise((r) => setTimeout(r, 25));
  }
  const drainS = (performance.now() - t) / 1000;
  const cpuS = cpu0 === null ? null : (mainThreadCpu()! - cpu0);
  const proc = cpuSince(proc0);
  // Where the drain's time went: start-up (connect, group join, first fetch) and the ticks that only fill windows cost both drains alike.
  if (tl) console.log(`timeline:  first tick taken in at ${tl.firstTickS.toFixed(2)} s, first forecast ${tl.firstForecastS.toFixed(2)} s, ${S * (W - 1)} ticks taken in (as many as fill the ${S} windows) ${tl.filledS.toFixed(2)} s = ${Math.round((100 * tl.filledS) / drainS)} % of the drain${tl.cpuAtFillS !== null && cpu0 !== null && cpuS !== null ? ` (main thread CPU ${(tl.cpuAtFillS - cpu0).toFixed(2)} s of ${cpuS.toFixed(2)} s)` : ''}, all ${N} ${tl.allInS.toFixed(2)} s, all committed ${drainS.toFixed(2)} s`);
  // Count what the forecasts topic holds. (Reading it back is no check here: the local broker keeps
  // at most 5 MiB or 100,000 records a partition, docs/local-broker.md, and drops the oldest.)
  const produced = (await admin.fetchTopicOffsets(`${prefix}.forecasts.${tag}`)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  if (live) await live.stop();
  if (produced !== expected) throw new Error(`the forecasts topic holds ${produced} records, expected ${expected}`);
  const rate = N / drainS;
  const batches = await app.metrics.batchSize.get();
  const bSum = batches.values.find((v) => v.metricName === 'tickcast_batch_size_sum')?.value ?? 0;
  const bCount = batches.values.find((v) => v.metricName === 'tickcast_batch_size_count')?.value ?? 1;
  console.log(`service:   [${variant.name}] ${N} ticks → ${produced} forecasts in ${drainS.toFixed(1)} s = ${Math.round(rate)} ticks/s (${Math.round(produced / drainS)} forecasts/s), mean batch ${(bSum / bCount).toFixed(1)} windows (model ${app.inference.predictor.engine}/${app.inference.predictor.backend}, window ${W})`);
  const inf = await app.metrics.inferenceSeconds.get();
  const infSum = inf.values.find((v) => v.metricName === 'tickcast_inference_seconds_sum')?.value ?? 0;
  console.log(`           model busy ${infSum.toFixed(1)} s of ${drainS.toFixed(1)} s (${Math.round(produced / infSum)} windows/s while running)`);
  const busy1 = await busySeconds(app);
  const threads = THREADS > 0 ? `, ${THREADS} serving thread${THREADS > 1 ? 's' : ''} ${pctOf((busy1.serving - busy0.serving) / THREADS, drainS)} each` : '';
  console.log(`           busy during the drain: main thread ${pctOf(busy1.main - busy0.main, drainS)}${threads} (tickcast_event_loop_busy_seconds_total, tickcast_onnx_thread_busy_seconds_total)`);
  // CPU time, not wall time: what another process on the machine cannot inflate (busy above counts time the thread waited for a core).
  if (cpuS !== null) console.log(`           main thread CPU during the drain ${cpuS.toFixed(2)} s: ${Math.round((1e6 * cpuS) / produced)} µs per forecast (process.threadCpuUsage)`);
  printProcessCpu(proc, produced, drainS);
  console.log(`ratio:     service / raw consume = ${(rate / baseRate).toFixed(3)}`);
  rates.push({ forecastsPerS: produced / drainS, modelWindowsPerS: produced / infSum, forecastsPerCpuS: produced / proc.rusageS, cpuS: proc.rusageS });
  return { app, forecasts: produced, drainS };
}

async function main() {
  console.log(`# bench:pipeline — ${N} ticks, ${S} series, stride ${STRIDE}, engine ${ENGINE}, fetch max wait ${FETCH_WAIT} ms, onnx serving threads ${THREADS}${ONNX_WORKERS === 'auto' ? ' (model.onnxWorkers auto, the default)' : ''}`);
  console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}`);
  console.log(`# drain timed to ${LIVE_COLLECTOR ? 'the last forecast read by an in-process consumer (BENCH_LIVE_COLLECTOR=1)' : 'every tick committed (every forecast acknowledged); forecasts counted after'}`);
  if (Number(process.versions.node.split('.')[0]) < 24) console.log(`# note: tickcast's runtime is Node 24 (package.json engines, the images); Node ${process.versions.node} measures lower (docs/benchmarks.md § Streaming throughput)`);
  const prefix = uniqueName('bench');
  const topic = `${prefix}.ticks`;
  const live = `${prefix}.live`;
  const broker = await startBroker({ topics: [{ name: topic, partitions: 6 }, { name: live, partitions: 6 }, { name: `${prefix}.forecasts.p1`, partitions: 6 }, { name: `${prefix}.forecasts.def`, partitions: 6 }, { name: `${prefix}.anomalies`, partitions: 1 }, { name: `${prefix}.dlq`, partitions: 1 }, { name: `${prefix}.raw`, partitions: 6 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const t0 = Date.UTC(2025, 0, 1);
  const t = performance.now();
  await produce(producer, topic, ticks(N, S, t0));
  console.log(`produce:   ${N} records in ${((performance.now() - t) / 1000).toFixed(1)} s (${Math.round(N / ((performance.now() - t) / 1000))} msg/s, kafkajs idempotent, acks=all)`);

  // 1. baseline consume
  const base = kafka.consumer({ groupId: `${prefix}-baseline`, maxWaitTimeInMs: 50 });
  await base.connect();
  await base.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let firstAt = 0;
  let lastAt = 0;
  await base.run({
    eachBatch: async ({ batch }) => {
      if (!firstAt) firstAt = performance.now();
      seen += batch.messages.length;
      lastAt = performance.now();
    },
  });
  while (seen < N) await new Promise((r) => setTimeout(r, 20));
  await base.disconnect();
  const kafkajsRate = N / ((lastAt - firstAt) / 1000);
  console.log(`baseline:  raw kafkajs consume ${Math.round(kafkajsRate)} msg/s (test-harness client, not the service's)`);
  // The service's client (librdkafka): raw produce + consume of the same records on another topic.
  const raw = await librdkafkaRates(broker.brokers, `${prefix}.raw`, ticks(N, S, t0), `${prefix}-raw`);
  const baseRate = raw.consume;
  console.log(`baseline:  raw librdkafka (@confluentinc/kafka-javascript) produce ${Math.round(raw.produce)} msg/s (acks=all, idempotent), consume ${Math.round(raw.consume)} msg/s`);

  // 2. service drains the backlog: first the per-step model (patch length 1, what shipped before
  // patch tokens) as the same-run baseline, then the default model (the one phase 3 measures).
  if (BASELINE) {
    const b = await drain({ name: 'per-step (patch 1)', patchLength: 1 }, broker.brokers, kafka, prefix, topic, baseRate);
    await b.app.stop();
  }
  const { app, forecasts, drainS } = await drain({ name: 'default patches', patchLength: 0 }, broker.brokers, kafka, prefix, topic, baseRate);
  if (rates.length === 2) {
    const [b, d] = rates;
    console.log(`patch:     default / per-step forecasts/s = ${(d.forecastsPerS / b.forecastsPerS).toFixed(2)}× (target ≥ 3×), model windows/s while running ${(d.modelWindowsPerS / b.modelWindowsPerS).toFixed(2)}× — same run, same config, ${cpus().length} cores`);
    // Per core as CPU time: forecasts per CPU-second of the whole process; a wait for a core is not counted in it, as it is in the wall-clock ratio above.
    console.log(`per CPU:   default / per-step forecasts per process CPU-second = ${(d.forecastsPerCpuS / b.forecastsPerCpuS).toFixed(2)}× (${Math.round(d.forecastsPerCpuS)} vs ${Math.round(b.forecastsPerCpuS)}; process CPU ${d.cpuS.toFixed(2)} vs ${b.cpuS.toFixed(2)} s)`);
  }
  if (!LATENCY) {
    await app.stop();
    await producer.disconnect();
    await broker.stop();
    return;
  }

  // 3. latency at a paced rate, on the same running service (switch input by producing to its topic)
  const paced = Number(process.env.BENCH_RATE ?? Math.round((forecasts / drainS) * 0.5 * STRIDE));
  const seconds = 10;
  const out = await Collector.start(kafka, [`${prefix}.forecasts.def`], `${prefix}-collect-paced`, { fromBeginning: false });
  const total = paced * seconds;
  const tick0 = t0 + Math.ceil(N / S) * 1000 + 1000;
  const stream = ticks(total, S, tick0, 0);
  const started = performance.now();
  for (let i = 0; i < total; i += Math.max(1, Math.round(paced / 20))) {
    const chunk = stream.slice(i, i + Math.max(1, Math.round(paced / 20)));
    await producer.send({ topic, acks: -1, messages: chunk });
    const due = started + ((i + chunk.length) / paced) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const expectedLive = Math.floor(total / STRIDE) - S; // allow for stride alignment
  await out.waitFor(() => out.items.length >= expectedLive, 120_000, 'paced forecasts').catch(() => {});
  await out.settle(1000);
  const lat = out.items.map((m) => JSON.parse(String(m.value)).latencyMs as number);
  const achieved = total / ((performance.now() - started) / 1000);
  console.log(`latency:   at ${paced} ticks/s offered (${Math.round(achieved)} achieved), tick→forecast p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms, max ${Math.max(...lat)} ms (n=${lat.length})`);

  await app.stop();
  await out.stop();
  await producer.disconnect();
  await broker.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
