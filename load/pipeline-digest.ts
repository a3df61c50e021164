/**
 * Pipeline output digest (a guard for performance work on the per-tick path): a fixed input runs
 * through the real app (buildApp: decode → window → model → detector → fusion → forecasts, alerts,
 * dead letters) with an in-memory source and sink and a frozen clock, and every output message
 * (stream, key, value, headers, in order) plus the pipeline's counters are hashed. Run it before
 * and after a change: the digests must be the same.
 *
 *   npx tsx load/pipeline-digest.ts                 prints the SHA-256 and the message counts
 *   DIGEST_OUT=/tmp/out.jsonl npx tsx load/pipeline-digest.ts   also writes every message, one a line
 *   DIGEST_CPU=1 …                                  also prints the main thread's CPU time per forecast
 *
 * The input (DIGEST_SERIES × DIGEST_STEPS bench:pipeline-style ticks, DIGEST_LONG long series
 * with spikes and level shifts so that alerts fire, a few malformed records, labels and a trace
 * header) is handed over in chunks of ≤ 512 records of one of 6 partitions, one chunk at a time,
 * as the Kafka batch loop would. The clock (Date.now) stands still within a chunk; a dead letter's
 * `tickcast-failed-at` header (the pipeline's clock since 6 Dec; wall clock before) is hashed as a placeholder, so digests of older trees compare.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load.ts';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import type { RawRecord } from '../src/domain/types.ts';
import type { OutMessage, OutputSink } from '../src/pipeline/ports.ts';
import { MemorySource } from './memory-source.ts';

const SERIES = Number(process.env.DIGEST_SERIES ?? 300);
const STEPS = Number(process.env.DIGEST_STEPS ?? 100);
const LONG = Number(process.env.DIGEST_LONG ?? 12);
const LONG_STEPS = Number(process.env.DIGEST_LONG_STEPS ?? 1200);
const COLD = process.env.DIGEST_COLD_START !== '0';
const PARTITIONS = 6;
const CHUNK = 512;
const T0 = Date.UTC(2025, 0, 1);

let clock = T0;
Date.now = () => clock;

function partitionOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % PARTITIONS;
}

/** The input, in production order: bench ticks interleaved with long series; a few bad records. */
function input(): Array<{ key: string; value: string; headers: Record<string, string>; ts: number }> {
  const out: Array<{ key: string; value: string; headers: Record<string, string>; ts: number }> = [];
  const steps = Math.max(STEPS, LONG_STEPS);
  for (let t = 0; t < steps; t++) {
    const ts = T0 + t * 1000;
    if (t < STEPS) {
      for (let s = 0; s < SERIES; s++) {
        const id = `sensor-${s}`;
        const i = t * SERIES + s;
        out.push({ key: id, value: JSON.stringify({ series: id, ts, value: 50 + 10 * Math.sin(t / 10 + s) + (i % 7) / 7 }), headers: {}, ts });
      }
    }
    if (t < LONG_STEPS) {
      for (let s = 0; s < LONG; s++) {
        const id = `long-${s}`;
        let v = 100 + 20 * Math.sin((2 * Math.PI * t) / 60 + s) + 3 * Math.sin(t * 1.7 + s * 0.3);
        if (t > 600 + s * 20) v += 15 * (s % 3); // level shift
        if (t % (97 + s) === 50) v += 80 * (s % 2 === 0 ? 1 : -1); // spikes
        const body: Record<string, unknown> = { series: id, ts, value: Number(v.toFixed(3)) };
        if (s % 4 === 1) body.labels = { host: `web-${s % 3}`, dc: 'eu' };
        const headers: Record<string, string> = s % 5 === 2 ? { traceparent: `00-${(t + 1).toString(16).padStart(32, '0')}-${(s + 1).toString(16).padStart(16, '0')}-01` } : {};
        out.push({ key: id, value: JSON.stringify(body), headers, ts });
      }
    }
    if (t % 37 === 5) out.push({ key: 'bad-json', value: '{"series":"bad-json","ts":', headers: {}, ts });
    if (t % 53 === 7) out.push({ key: 'bad-value', value: JSON.stringify({ series: 'bad-value', ts, value: 'x' }), headers: {}, ts });
    if (t % 71 === 9) out.push({ key: 'bad-ts', value: JSON.stringify({ series: 'bad-ts', ts: ts / 1000, value: 1 }), headers: {}, ts });
  }
  return out;
}

/** Chunks of ≤ CHUNK consecutive records of one partition, partitions taking turns, as fetched batches. */
function chunks(): RawRecord[][] {
  const perPartition: RawRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  const offsets = new Array<number>(PARTITIONS).fill(0);
  for (const r of input()) {
    const p = partitionOf(r.key);
    perPartition[p].push({
      key: Buffer.from(r.key),
      value: Buffer.from(r.value),
      headers: r.headers,
      source: { topic: 'digest.ticks', partition: p, offset: String(offsets[p]++) },
      receivedAtMs: r.ts + 20,
    });
  }
  const out: RawRecord[][] = [];
  for (let at = 0; ; at += CHUNK) {
    const round = perPartition.map((recs) => recs.slice(at, at + CHUNK)).filter((c) => c.length > 0);
    if (round.length === 0) return out;
    out.push(...round);
  }
}

class DigestSink implements OutputSink {
  readonly hash = createHash('sha256');
  readonly lines: string[] = [];
  readonly counts: Record<string, number> = {};
  async send(messages: OutMessage[]): Promise<void> {
    for (const m of messages) {
      const enc = (v: Buffer | string | null) => (v === null ? null : typeof v === 'string' ? v : { b64: v.toString('base64') });
      // A dead letter's failed-at is the wall clock (new Date()), the one field the frozen Date.now does not reach.
      const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, k === 'tickcast-failed-at' ? '(wall clock)' : Array.isArray(v) ? v.map((b) => b.toString('base64')) : enc(v)]));
      const line = JSON.stringify({ stream: m.stream, key: enc(m.key), value: enc(m.value), headers });
      this.hash.update(line).update('\n');
      if (process.env.DIGEST_OUT) this.lines.push(line);
      this.counts[m.stream] = (this.counts[m.stream] ?? 0) + 1;
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'warn',
      coldStart: { enabled: COLD },
      http: { enabled: false },
      telemetry: { defaultMetrics: false },
      model: { bootstrapEpochs: 0, engine: 'onnx' },
    },
  });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const source = new MemorySource();
  const sink = new DigestSink();
  const app = await buildApp(config, { source, sink, logger: createLogger({ level: 'warn', name: 'digest', destination: quiet }) });
  await app.start();
  const all = chunks();
  // The main thread's own CPU (Node ≥ 23.9); the process's, serving threads included, on older nodes.
  const threadCpu = (prev?: NodeJS.CpuUsage): NodeJS.CpuUsage => ((process as { threadCpuUsage?: (p?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage ?? process.cpuUsage)(prev);
  const cpu0 = threadCpu();
  const t0 = performance.now();
  for (const c of all) {
    clock = Math.max(...c.map((r) => r.receivedAtMs)) + 500;
    await source.handle!(c);
  }
  const cpu1 = threadCpu(cpu0);
  const wall = performance.now() - t0;
  const metrics = (await app.metrics.registry.metrics())
    .split('\n')
    // Not the timing-driven ones: durations, sizes, batches, and the series gauge a 10 s timer sets.
    .filter((l) => l.startsWith('tickcast_') && !/seconds|_bytes|busy|lag|inference|batch_size|duration|latency|queue|in_flight|delay|series_active/.test(l));
  const outputs = sink.hash.copy().digest('hex');
  for (const l of metrics) sink.hash.update(l).update('\n');
  await app.stop();
  if (process.env.DIGEST_OUT) writeFileSync(process.env.DIGEST_OUT, `${sink.lines.join('\n')}\n${metrics.join('\n')}\n`);
  const records = all.reduce((n, c) => n + c.length, 0);
  console.log(`digest ${sink.hash.digest('hex')} (outputs ${outputs.slice(0, 16)}) records ${records} chunks ${all.length} out ${JSON.stringify(sink.counts)} metric lines ${metrics.length}`);
  if (process.env.DIGEST_CPU === '1') {
    const cpuMs = (cpu1.user + cpu1.system) / 1000;
    const forecasts = sink.counts.forecasts ?? 0;
    console.log(`cpu main thread ${cpuMs.toFixed(0)} ms (${((1000 * cpuMs) / forecasts).toFixed(1)} µs per forecast, ${forecasts} forecasts), wall ${wall.toFixed(0)} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
