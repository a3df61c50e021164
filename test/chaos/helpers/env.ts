/**
 * One chaos scenario's surroundings: a private local broker with fresh topics, a test producer, a
 * collector on the output topics, a temp model dir and a log file — and the bookkeeping the
 * assertions need (distinct forecasts per series, duplicates, DLQ by source offset).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { startBroker, uniqueName, type LocalBroker } from '../../helpers/broker.ts';
import { Collector, connectProducer, testKafka } from '../../helpers/kafka.ts';
import { startService, type ServiceProcess, type ServiceTopics, type StartServiceOptions } from './service.ts';
import { isCold } from '../../helpers/forecasts.ts';

export interface ChaosEnv {
  prefix: string;
  topics: ServiceTopics;
  broker: LocalBroker;
  kafka: Kafka;
  producer: Producer;
  collector: Collector | null;
  modelDir: string;
  logFile: string;
  /** Start the service against this env (same group and model dir every time). */
  service(extra?: Partial<StartServiceOptions>): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function chaosEnv(opts: { partitions?: number; collect?: boolean } = {}): Promise<ChaosEnv> {
  const prefix = uniqueName('chaos');
  const topics: ServiceTopics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({
    topics: [
      { name: topics.ticks, partitions: opts.partitions ?? 6 },
      { name: topics.forecasts, partitions: 3 },
      { name: topics.anomalies, partitions: 1 },
      { name: topics.dlq, partitions: 1 },
    ],
  });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = (opts.collect ?? true) ? await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect')) : null;
  const modelDir = mkdtempSync(path.join(tmpdir(), 'tickcast-chaos-model-'));
  const logFile = path.join(tmpdir(), `${prefix}.service.log`);
  const services: ServiceProcess[] = [];
  return {
    prefix,
    topics,
    broker,
    kafka,
    producer,
    collector,
    modelDir,
    logFile,
    async service(extra = {}) {
      const s = await startService({ brokers: broker.brokers, topics, groupId: `${prefix}-svc`, modelDir, logFile, ...extra });
      services.push(s);
      return s;
    },
    async close() {
      for (const s of services) await s.stop().catch(() => {});
      await collector?.stop().catch(() => {});
      await producer.disconnect().catch(() => {});
      await broker.stop();
      rmSync(modelDir, { recursive: true, force: true });
    },
  };
}

/**
 * series → the model's forecast timestamps (with repeats), from collected forecast records. Cold
 * series' baseline forecasts (`"model": "baseline:…"`, before the window is full) are counted
 * apart in `baseline` (with repeats).
 */
export function forecastLedger(items: { value: Buffer | null }[]) {
  const by = new Map<string, number[]>();
  let baseline = 0;
  for (const it of items) {
    const f = JSON.parse(String(it.value)) as { series: string; ts: number; model: string; replaces?: string };
    if (isCold(f)) {
      baseline++;
      continue;
    }
    let a = by.get(f.series);
    if (!a) by.set(f.series, (a = []));
    a.push(f.ts);
  }
  let distinct = 0;
  let total = 0;
  for (const ts of by.values()) {
    distinct += new Set(ts).size;
    total += ts.length;
  }
  return { by, distinct, total, duplicates: total - distinct, baseline };
}

/** Distinct (series, ts) forecasts so far — cheap enough to poll on a few 10k records. */
export function distinctForecasts(items: { value: Buffer | null }[]): number {
  return forecastLedger(items).distinct;
}

/**
 * Records ever appended to a fresh topic = the sum of its partitions' high watermarks. Not high −
 * low: the local broker keeps only ~5 MB per partition in memory and drops the oldest record
 * batches beyond that (like retention), which raises the low watermark.
 */
export async function topicRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** One line describing the machine and its load right now (for the figures in the docs). */
export function machineLine(): string {
  const c = cpus();
  const [l1, l5] = loadavg();
  return `${c[0]?.model ?? 'unknown cpu'} × ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${l1.toFixed(1)} (1 min) / ${l5.toFixed(1)} (5 min)`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A summary of numbers: min, median, p95, max. */
export function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] };
}

export const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

/**
 * Poll `count()` until it reaches `target`; fail early when it has not moved for `stallMs` (a hung
 * pipeline should fail in a minute, not at the overall timeout), with `diagnose()` in the message.
 */
export async function waitProgress(
  count: () => number,
  target: number,
  what: string,
  opts: { stallMs?: number; timeoutMs?: number; diagnose?: () => Promise<string> } = {},
): Promise<void> {
  const t0 = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = count();
    if (n >= target) return;
    if (n !== last) {
      last = n;
      since = Date.now();
    }
    const stalled = Date.now() - since > (opts.stallMs ?? 90_000);
    if (stalled || Date.now() - t0 > (opts.timeoutMs ?? 600_000)) {
      const diag = opts.diagnose ? await opts.diagnose().catch((e) => `(diagnose failed: ${String(e)})`) : '';
      throw new Error(`${stalled ? `no progress for ${opts.stallMs ?? 90_000} ms` : 'timed out'} waiting for ${what}: ${n} of ${target}${diag ? `\n${diag}` : ''}`);
    }
    await sleep(200);
  }
}

/** The service metrics a stalled pipeline is diagnosed by. */
export async function pipelineState(svc: { metrics(): Promise<Map<string, number>>; alive(): boolean }): Promise<string> {
  if (!svc.alive()) return 'service process is not running';
  const m = await svc.metrics();
  const keep = [...m].filter(([k]) => /^tickcast_(ticks_total|forecasts_total|dlq_total|consumer_lag|paused|inference_queue|series_active)/.test(k));
  return keep.map(([k, v]) => `${k} ${v}`).join('\n');
}
