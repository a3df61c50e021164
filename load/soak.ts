/**
 * Soak (npm run bench:soak): the service's real pipeline in-process — buildApp with the default
 * model, detector, fusion, feedback gate, incidents, idle-eviction loop — fed by a churning fleet
 * of series, to tell whether memory creeps in a long-running instance.
 *
 * The source (in-process, like the embedded replay of `npm start`) sends one tick per active series
 * every round (1 s of wall time; event time steps `--step-s`) as the JSON a Kafka producer would,
 * with ids `h<host>:s<n>` (incidents group them by host, the default prefix grouping). Every minute
 * `--churn` of the active series are replaced by new ids: the old ones go quiet and are evicted by
 * the idle loop (`--idle-evict-s`) or at the cap (`--max-series`), so eviction runs all the time.
 * A host at a time "has an event" (its series jump for a few rounds), so alerts fire, resolve and
 * group into incidents, and some series are evicted while firing.
 *
 * Every `--sample-s` it forces two GCs (node --expose-gc) and records heapUsed, RSS split by
 * owner (./soak-memory.ts: V8's resident heap, external and arrayBuffers, file-backed vs anonymous
 * RSS, glibc's malloc arenas, native = anonymous RSS outside V8's heap), the load average,
 * tf.memory().numTensors, active handles, and the entries of the per-series maps by holder
 * (app.stateSizes(): registry, windows, outlook, detector, fusion, band quality, feedback gate,
 * alert index, incidents, recent anomalies, SenML units, series homes). At the end: a table, the least-squares slope of post-GC heap in MB per
 * minute over the second half, and a verdict. `--snapshots DIR` writes heap snapshots at the
 * middle and the end (diff them in Chrome DevTools' Comparison view to find an owner).
 *
 *   node --expose-gc --import tsx load/soak.ts --minutes 20 --series 1000 --churn 0.2
 *
 * Flags: --minutes (2), --sample-s (15), --series (1000 active at once), --churn (0.2 of the active
 * series replaced per minute), --max-series (1.15 × series), --idle-evict-s (60), --step-s (10),
 * --hosts (series / 10), --event-every (a host event every 20 rounds: more often, more alerts),
 * --alert-index (feedback.alertIndexSize; 0: the service's default), --keep-closed
 * (incidents.keepClosed; 0: default), --max-members (incidents.maxMembers; 0: default),
 * --snapshots DIR (none). The replay marks are capped at --max-series; the recent-anomalies ring
 * holds 1,000 records. Small caps with a frequent event (--event-every 2) fill all of them in
 * about 10 minutes.
 *
 * The bounded caches that keep what outlives a series (alert index, recent anomalies, incident
 * replay marks, closed incidents) grow until full: the verdict names those not full yet, whose
 * growth is expected. Results: docs/reliability.md § Soak.
 */
import { Writable } from 'node:stream';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { memorySample, type MemorySample } from './soak-memory.ts';
import { loadConfig } from '../src/config/load.ts';
import { buildApp } from '../src/app.ts';
import { RECENT_ANOMALIES_MAX } from '../src/pipeline/recent-anomalies.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import type { RawRecord } from '../src/domain/types.ts';
import type { OutMessage, OutputSink, RecordHandler, TickSource } from '../src/pipeline/ports.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
}
const MINUTES = flag('minutes', 2);
const SAMPLE_S = flag('sample-s', 15);
const SERIES = flag('series', 1000);
const CHURN = flag('churn', 0.2);
const MAX_SERIES = flag('max-series', Math.round(SERIES * 1.15));
const IDLE_S = flag('idle-evict-s', 60);
const STEP_S = flag('step-s', 10);
const HOSTS = flag('hosts', Math.max(1, Math.round(SERIES / 10)));
const EVENT_EVERY = flag('event-every', 20);
const ALERT_INDEX = flag('alert-index', 0);
const KEEP_CLOSED = flag('keep-closed', 0);
const MAX_MEMBERS = flag('max-members', 0);
const snapIdx = process.argv.indexOf('--snapshots');
const SNAP_DIR = snapIdx < 0 ? null : process.argv[snapIdx + 1];

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run bench:soak does)');
  process.exit(2);
}

/** The churning fleet: `SERIES` active ids, a fraction replaced each minute; events per host. */
class ChurnSource implements TickSource {
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #paused = false;
  #active: number[] = Array.from({ length: SERIES }, (_, i) => i);
  #next = SERIES;
  #offset = 0;
  sent = 0;
  created = SERIES;

  hasJoined(): boolean {
    return this.#loop !== null;
  }

  async start(handle: RecordHandler): Promise<void> {
    this.#loop = this.#run(handle);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(handle: RecordHandler): Promise<void> {
    const t0 = Date.UTC(2026, 0, 1);
    const perRound = CHURN * SERIES / 60;
    let owed = 0;
    let eventHost = -1;
    let eventLeft = 0;
    let events = 0; // hosts take turns: (round / EVENT_EVERY) % HOSTS skipped hosts when it shared a factor with HOSTS
    for (let round = 0; !this.#abort.signal.aborted; round++) {
      const started = Date.now();
      owed += perRound;
      for (; owed >= 1; owed--) this.#replaceOne();
      if (eventLeft === 0 && round % EVENT_EVERY === 0) [eventHost, eventLeft] = [events++ % HOSTS, 6];
      const records: RawRecord[] = [];
      for (const n of this.#active) {
        const host = n % HOSTS;
        const base = 100 + (n % 50) + 10 * Math.sin(round / 30 + n) + 2 * Math.sin(round * 1.7 + n * 3);
        const value = eventLeft > 0 && host === eventHost ? base + 400 : base;
        const id = `h${host}:s${n}`;
        records.push({ key: Buffer.from(id), value: Buffer.from(JSON.stringify({ series: id, ts: t0 + round * STEP_S * 1000, value })), headers: {}, source: { topic: 'soak', partition: 0, offset: String(this.#offset++) }, receivedAtMs: started });
      }
      if (eventLeft > 0) eventLeft--;
      for (let i = 0; i < records.length; i += 256) await handle(records.slice(i, i + 256));
      this.sent += records.length;
      while (this.#paused && !this.#abort.signal.aborted) await sleep(20);
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  }

  /** A random active series goes quiet for good; a new id takes its place. */
  #replaceOne(): void {
    const i = Math.floor(Math.random() * this.#active.length);
    this.#active[i] = this.#next++;
    this.created++;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts outputs (what a Kafka sink would send). */
class CountingSink implements OutputSink {
  readonly counts = { forecasts: 0, anomalies: 0, dlq: 0, alertState: 0 };
  async send(messages: OutMessage[]): Promise<void> {
    for (const m of messages) this.counts[m.stream]++;
  }
}

interface Sample extends MemorySample {
  min: number;
  tensors: number;
  handles: number;
  sent: number;
  sizes: Record<string, number>;
}

function sample(startMs: number, app: { stateSizes(): Record<string, number> }, source: ChurnSource): Sample {
  gc!();
  gc!();
  return {
    min: Math.round(((Date.now() - startMs) / 60_000) * 100) / 100,
    ...memorySample(),
    tensors: tf.memory().numTensors,
    handles: process.getActiveResourcesInfo().length,
    sent: source.sent,
    sizes: app.stateSizes(),
  };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) [num, den] = [num + (xs[i] - mx) * (ys[i] - my), den + (xs[i] - mx) ** 2];
  return den === 0 ? 0 : num / den;
}

function printTable(samples: Sample[]): void {
  const keys = Object.keys(samples[0].sizes);
  const mem = ['heapMB', 'heapTotMB', 'v8PhysMB', 'extMB', 'abMB', 'rssMB', 'anonMB', 'fileMB', 'brkMB', 'arenasMB', 'arenas', 'nativeMB', 'load1'] as const;
  const head = ['min', ...mem, 'tensors', 'handles', 'ticks', ...keys];
  const rows = samples.map((s) => [s.min, ...mem.map((k) => s[k]), s.tensors, s.handles, s.sent, ...keys.map((k) => s.sizes[k])].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(w[i])).join(' '));
}

async function main(): Promise<void> {
  const config = loadConfig({
    env: {},
    overrides: {
      logLevel: 'warn',
      windows: { maxSeries: MAX_SERIES, idleEvictMs: IDLE_S * 1000 },
      ...(ALERT_INDEX > 0 ? { feedback: { alertIndexSize: ALERT_INDEX } } : {}),
      incidents: { ...(KEEP_CLOSED > 0 ? { keepClosed: KEEP_CLOSED } : {}), ...(MAX_MEMBERS > 0 ? { maxMembers: MAX_MEMBERS } : {}) },
      http: { enabled: false },
    },
  });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const source = new ChurnSource();
  const sink = new CountingSink();
  const app = await buildApp(config, { source, sink, logger: createLogger({ level: 'warn', name: 'soak', destination: process.env.SOAK_LOGS ? process.stderr : quiet }) });
  await app.start();
  const p = app.model.predictor;
  console.log(`soak: ${MINUTES} min, ${SERIES} series active (${HOSTS} hosts), churn ${CHURN}/min, maxSeries ${MAX_SERIES}, idleEvict ${IDLE_S}s, sample every ${SAMPLE_S}s; model ${p.version} (${p.engine}/${p.backend}); node ${process.version}`);
  const start = Date.now();
  const samples: Sample[] = [sample(start, app, source)];
  const end = start + MINUTES * 60_000;
  let midSnap = false;
  while (Date.now() < end) {
    await sleep(Math.min(SAMPLE_S * 1000, end - Date.now()));
    samples.push(sample(start, app, source));
    const s = samples.at(-1)!;
    console.error(`[${s.min} min] heap ${s.heapMB} MB rss ${s.rssMB} MB native ${s.nativeMB} MB ticks ${s.sent} ${JSON.stringify(s)}`);
    if (SNAP_DIR && !midSnap && Date.now() >= start + (end - start) / 2) [midSnap] = [true, console.error(`snapshot ${writeHeapSnapshot(join(SNAP_DIR, 'soak-mid.heapsnapshot'))}`)];
  }
  if (SNAP_DIR) console.error(`snapshot ${writeHeapSnapshot(join(SNAP_DIR, 'soak-end.heapsnapshot'))}`);
  await app.stop();
  const caps = { alertIndex: config.feedback.alertIndexSize, incidentsSeen: MAX_SERIES, incidentsClosed: config.incidents.keepClosed, recentAnomalies: RECENT_ANOMALIES_MAX };
  report(samples, source, sink, caps);
}

function report(samples: Sample[], source: ChurnSource, sink: CountingSink, caps: Record<string, number>): void {
  printTable(samples);
  const half = samples.filter((s) => s.min >= samples.at(-1)!.min / 2);
  const k = slope(half.map((s) => s.min), half.map((s) => s.heapMB));
  const rssK = slope(half.map((s) => s.min), half.map((s) => s.rssMB));
  const bounded = Object.keys(samples[0].sizes).every((key) => half.every((s) => s.sizes[key] <= (caps[key] ?? MAX_SERIES)));
  const last = samples.at(-1)!.sizes;
  const filling = Object.entries(caps).filter(([key, cap]) => last[key] < cap).map(([key, cap]) => `${key} ${last[key]}/${cap}`);
  const mins = samples.at(-1)!.min;
  console.log(`\nticks ${source.sent} (${Math.round(source.sent / (mins * 60))}/s), series created ${source.created}, outputs ${JSON.stringify(sink.counts)}`);
  const nativeK = slope(half.map((s) => s.min), half.map((s) => s.nativeMB));
  console.log(`post-GC heap slope over the second half (${half.length} samples): ${k.toFixed(3)} MB/min (${(k * 60).toFixed(1)} MB/h); RSS ${rssK.toFixed(2)} MB/min; native (anonymous RSS outside V8's heap) ${nativeK.toFixed(2)} MB/min`);
  const flat = Math.abs(k) < 0.05 * Math.max(1, half[0].heapMB) / 60; // < 5 % of the heap per hour
  console.log(`verdict: ${flat && bounded ? 'no creep' : !bounded ? 'CREEP' : filling.length > 0 ? 'growing while bounded caches fill' : 'CREEP'} (heap ${flat ? 'flat' : 'growing'}: |slope| ${flat ? '<' : '≥'} 5 % of the heap per hour; maps ${bounded ? 'within' : 'beyond'} their caps (maxSeries ${MAX_SERIES}); caches not full yet: ${filling.join(', ') || 'none'})`);
}

await main();
