/**
 * Restart benchmark (npm run bench:restart): how long a restarted instance takes until its
 * per-series state is back, with S series (10,000) on the local broker, the real app.
 *
 *  0. setup: W+1 ticks per series are produced; a first instance processes W of them, takes a
 *     series-state snapshot, processes the last tick (the tail), stops. The mid-stream snapshot
 *     is kept: a restart then looks like one after a kill -9 just before the next periodic
 *     snapshot (the worst case is a tail of one snapshot interval).
 *  1. snapshot restart: load the snapshot, restore the series, replay the tail (S records) as
 *     full warm-up (window, inference, series outlook, detector) — time from build to state back;
 *  2. baseline, today's restart: no snapshot; the plain window replay re-reads every record
 *     before the committed offset (restoreRecordsPerPartition sized to cover them; at the
 *     default 20,000 per partition the windows of 10,000 series could not be rebuilt at all).
 *  0. as 1, from a copy of that snapshot whose detector states are one real long-running state
 *     each (2,500 ticks seen): the snapshot size and load cost of a mature deployment (~27 KB per
 *     series) rather than of these young series (their empty rings are not stored).
 *  Phases alternate BENCH_REPEAT times (contended machine); the ratio uses the medians.
 *
 * Cold-start baseline forecasts are off (setup time only; they play no part in a restart).
 * Options (env): BENCH_SERIES (10000), BENCH_WINDOW (64), BENCH_REPEAT (2).
 */
import { cpus } from 'node:os';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../test/helpers/broker.ts';
import { connectProducer, produce, testKafka } from '../test/helpers/kafka.ts';
import { loadConfig } from '../src/config/load.ts';
import type { ConfigInput } from '../src/config/schema.ts';
import { buildApp, type App } from '../src/app.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { AnomalyDetector } from '../src/domain/anomaly/index.ts';
import { decodeSnapshot, encodeSnapshot, toPlain } from '../src/pipeline/snapshot/codec.ts';
import type { SnapshotTree } from '../src/pipeline/snapshot/series-state.ts';

const S = Number(process.env.BENCH_SERIES ?? 10_000);
const W = Number(process.env.BENCH_WINDOW ?? 64);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
// The local broker (librdkafka's mock cluster) keeps at most 5 MiB or 100,000 messages per
// partition and drops the oldest beyond that; a real cluster retains by time. Spread the setup
// over enough partitions that nothing is dropped (~120 bytes a record, ≤ 3 MiB a partition):
// 6 at W = 16, 25 at the default W = 64.
const PARTITIONS = Math.max(6, Math.ceil((S * (W + 1) * 120) / (3 << 20)));

function ticks(t: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let s = 0; s < S; s++) {
    const id = `sensor-${s}`;
    out.push({ key: id, value: JSON.stringify({ series: id, ts: Date.UTC(2025, 0, 1) + t * 60_000, value: 50 + 10 * Math.sin(t / 10 + s) + ((t * 7 + s) % 7) / 7 }) });
  }
  return out;
}

async function until(cond: () => boolean, what: string, ms = 900_000, state?: () => unknown): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what} ${JSON.stringify(state?.() ?? {})}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Copy a snapshot, replacing every series' detector state with one real steady-state state. */
function writeSteady(from: string, to: string): void {
  const det = new AnomalyDetector();
  for (let i = 0; i < 2500; i++) det.observe('x', i * 60_000, 50 + 10 * Math.sin(i / 10) + (i % 7) / 7, null);
  const mature = toPlain(det.exportSeries('x')!, new Set([det.config]));
  const tree = decodeSnapshot(readFileSync(from)) as SnapshotTree;
  for (const e of tree.series) e.d = mature;
  writeFileSync(to, Buffer.concat(encodeSnapshot(tree)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  console.log(`# bench:restart — ${S} series, window ${W}, ${PARTITIONS} partitions, repeat ${REPEAT}`);
  console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}`);
  const prefix = uniqueName('restart');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: PARTITIONS }, { name: topics.forecasts, partitions: 6 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-bench-restart-'));
  const snapFile = path.join(dir, 'model', 'series-state', 'series-state.snap');
  const logger = createLogger({ level: process.env.BENCH_LOGS ? 'info' : 'warn', name: 'bench', destination: process.stderr });
  const records = S * (W + 1);
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'warn',
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
      topics,
      windows: { length: W, maxSeries: S, restoreRecordsPerPartition: 2 * Math.ceil(records / PARTITIONS) },
      model: { dir: path.join(dir, 'model'), bootstrapEpochs: 0, engine: 'onnx' },
      snapshots: { enabled: true, intervalMs: 0 },
      // Cold-start baseline forecasts off: they would add S × (W − 2) outputs to the setup and do
      // not take part in a restart (the restored series are warm).
      coldStart: { enabled: false },
      http: { enabled: false },
      telemetry: { defaultMetrics: false },
    } as ConfigInput,
  });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  let app: App | null = null;
  try {
    let t = performance.now();
    for (let k = 0; k < W; k++) await produce(producer, topics.ticks, ticks(k));
    console.log(`produce:   ${S * W} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    app = await buildApp(config, { logger });
    await app.start();
    await until(() => app!.store.size === S && [...app!.store.ids()].every((id) => app!.store.ticks(id) === W), 'first instance: windows full');
    const snap = await app.snapshots!.snapshot();
    copyFileSync(snapFile, `${snapFile}.mid`);
    console.log(`setup:     first instance processed ${S * W} ticks in ${((performance.now() - t) / 1000).toFixed(1)} s; snapshot of ${snap!.series} series: ${(snap!.bytes / 2 ** 20).toFixed(1)} MiB, capture ${snap!.captureMs} ms (pipeline held), write+fsync ${snap!.writeMs} ms`);
    await produce(producer, topics.ticks, ticks(W));
    await until(() => [...app!.store.ids()].every((id) => app!.store.ticks(id) === W + 1), 'first instance: tail processed');
    await app.stop();
    app = null;

    // The series here are young (W+1 ticks): their detector rings are mostly empty and the codec
    // leaves that out. A long-running series' detector state is ~25 KB; so a third variant
    // restores a snapshot of the same series whose detector states are replaced by one real
    // steady-state state (2,500 ticks observed): the size and load cost of a mature deployment.
    writeSteady(`${snapFile}.mid`, `${snapFile}.steady`);
    const snapMs: number[] = [];
    const steadyMs: number[] = [];
    const replayMs: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      // 0. from the steady-state-sized snapshot + the tail
      copyFileSync(`${snapFile}.steady`, snapFile);
      t = performance.now();
      app = await buildApp(config, { logger });
      await app.start();
      await until(() => app!.snapshots!.replayed.full >= S, 'steady snapshot restart: tail replayed', 300_000, () => ({ replayed: app?.snapshots?.replayed, series: app?.store.size }));
      steadyMs.push(performance.now() - t);
      console.log(`steady:    ready in ${(steadyMs[r] / 1000).toFixed(2)} s (snapshot ${(statSync(`${snapFile}.steady`).size / 2 ** 20).toFixed(1)} MiB read+checked+decoded in ${app.snapshots!.timings.loadMs} ms, restored in ${app.snapshots!.timings.restoreMs} ms; replayed ${app.snapshots!.replayed.full} tail records)`);
      await app.stop();
      app = null;
      // 1. from the snapshot + the tail
      copyFileSync(`${snapFile}.mid`, snapFile);
      t = performance.now();
      app = await buildApp(config, { logger });
      await app.start();
      await until(() => app!.snapshots!.replayed.full >= S, 'snapshot restart: tail replayed', 300_000, () => ({ replayed: app?.snapshots?.replayed, series: app?.store.size }));
      snapMs.push(performance.now() - t);
      const a = app;
      console.log(`snapshot:  ready in ${(snapMs[r] / 1000).toFixed(2)} s (${a.store.size} series; load ${a.snapshots!.timings.loadMs} ms, restore ${a.snapshots!.timings.restoreMs} ms; replayed ${a.snapshots!.replayed.full} tail records, ${a.snapshots!.replayed.window} others)`);
      await a.stop();
      app = null;
      // 2. today: no snapshot, plain replay of every record before the committed offset
      rmSync(snapFile, { force: true });
      t = performance.now();
      app = await buildApp(config, { logger });
      await app.start();
      await until(() => app!.snapshots!.replayed.window >= records, 'baseline: full replay');
      replayMs.push(performance.now() - t);
      console.log(`replay:    ready in ${(replayMs[r] / 1000).toFixed(2)} s (${app.store.size} series, replayed ${app.snapshots!.replayed.window} records)`);
      await app.stop();
      app = null;
    }
    const size = statSync(`${snapFile}.mid`).size;
    const steady = statSync(`${snapFile}.steady`).size;
    console.log(`\nrestart-to-ready, ${S} series, window ${W} (median of ${REPEAT}): full replay ${(median(replayMs) / 1000).toFixed(2)} s (baseline); ` +
      `snapshot ${(median(snapMs) / 1000).toFixed(2)} s = ${(median(replayMs) / median(snapMs)).toFixed(1)}× faster (${(size / 2 ** 20).toFixed(1)} MiB, ${Math.round(size / S)} B per series); ` +
      `steady-state-sized snapshot ${(median(steadyMs) / 1000).toFixed(2)} s = ${(median(replayMs) / median(steadyMs)).toFixed(1)}× faster (${(steady / 2 ** 20).toFixed(1)} MiB, ${Math.round(steady / S)} B per series)`);
  } finally {
    await app?.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
