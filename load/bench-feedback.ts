/**
 * npm run bench:feedback — what alert feedback buys on the NAB dev subset (../shared/data/nab).
 *
 * Each file is streamed tick by tick through the service's alerting path without the model
 * (AnomalyDetector with its own forecaster, as `bench:nab`'s detector path) behind the feedback
 * gate (src/pipeline/feedback-gate.ts). A detection is an alert the service SENDS (a `firing`
 * event leaving the gate), so the NAB result files hold 1 at alert ticks and 0 elsewhere.
 *
 * Replay: an operator marks the first k sent alerts of each file that fall outside every labelled
 * window as `false_positive`, at the alert's own time (before the next tick). Later alerts meet
 * the raised bar. k = 0 is the baseline (no feedback, same run). Reported per k: NAB score (three
 * profiles), false-positive alerts, windows caught, and whether any window caught at k = 0 was
 * lost. Then the same with the bar's half-life at ¼× and 4× the default, to show sensitivity.
 * Timing: detector + gate (with feedback) against the bare detector, same rows, same run.
 *
 * Env: NAB_DIR (data dir, default ../shared/data/nab), FEEDBACK_K (comma list, default 1,2,3,5).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AnomalyDetector, DEFAULT_ANOMALY_CONFIG } from '../src/domain/anomaly/index.ts';
import { FeedbackPolicy, type FeedbackPolicySettings } from '../src/domain/feedback/feedback-policy.ts';
import { FeedbackGate } from '../src/pipeline/feedback-gate.ts';
import { configSchema } from '../src/config/schema.ts';
import { listCorpusFiles, nabTimestampMs, readDataCsv, readWindows, scoreCorpus, type NabRow, type ProfileResult, type WindowLimits } from '../src/eval/nab/index.ts';

interface FileData {
  name: string;
  rows: NabRow[];
  ts: number[];
  windows: WindowLimits[];
  spans: Array<[number, number]>;
}

interface RunResult {
  alerts: Map<string, number[]>;
  fpAlerts: number;
  windowsCaught: Set<string>;
  feedbackGiven: number;
}

const defaults = configSchema.parse({}).feedback;

function settings(halfLifeMs: number): FeedbackPolicySettings {
  return {
    baseBar: DEFAULT_ANOMALY_CONFIG.warningThreshold,
    ceilingBar: DEFAULT_ANOMALY_CONFIG.criticalThreshold,
    marginScore: defaults.marginScore,
    falsePositiveHalfLifeMs: halfLifeMs,
    maxPerSeries: defaults.maxPerSeries,
    maxEntries: defaults.maxEntries,
  };
}

/** Stream every file through detector + gate, giving feedback on the first k false-positive alerts. */
function run(files: FileData[], k: number, halfLifeMs: number): RunResult {
  const alerts = new Map<string, number[]>();
  const caught = new Set<string>();
  let fpAlerts = 0;
  let given = 0;
  for (const f of files) {
    const policy = new FeedbackPolicy(settings(halfLifeMs));
    const gate = new FeedbackGate(new AnomalyDetector(), policy);
    const out = new Array<number>(f.rows.length).fill(0);
    let fpSeen = 0;
    for (let i = 0; i < f.rows.length; i++) {
      const ev = gate.observe(f.name, f.ts[i], f.rows[i].value, null).event;
      if (ev?.state !== 'firing') continue;
      out[i] = 1;
      const w = f.spans.findIndex(([a, b]) => f.ts[i] >= a && f.ts[i] <= b);
      if (w >= 0) {
        caught.add(`${f.name}#${w}`);
        continue;
      }
      fpAlerts++;
      if (fpSeen++ < k) {
        policy.apply({ alertId: `${f.name}@${f.ts[i]}`, series: f.name, alertTs: ev.tsMs, score: ev.score, ...(ev.view ? { view: ev.view } : {}), verdict: 'false_positive', channel: 'http', at: i });
        given++;
      }
    }
    alerts.set(f.name, out);
  }
  return { alerts, fpAlerts, windowsCaught: caught, feedbackGiven: given };
}

function nab(files: FileData[], r: RunResult): ProfileResult[] {
  return scoreCorpus(files.map((f) => ({ name: f.name, timestamps: f.rows.map((x) => x.timestamp), anomalyScores: r.alerts.get(f.name)!, windows: f.windows })));
}

function line(label: string, r: RunResult, res: ProfileResult[], base: RunResult | null): string {
  const lost = base === null ? [] : [...base.windowsCaught].filter((w) => !r.windowsCaught.has(w));
  const gained = base === null ? [] : [...r.windowsCaught].filter((w) => !base.windowsCaught.has(w));
  const scores = res.map((p) => p.corpus.normalised!.toFixed(1).padStart(9)).join('');
  const fpDelta = base === null ? '' : ` (${r.fpAlerts - base.fpAlerts >= 0 ? '+' : ''}${r.fpAlerts - base.fpAlerts}, ${(((r.fpAlerts - base.fpAlerts) / Math.max(1, base.fpAlerts)) * 100).toFixed(0)}%)`;
  const w = `${r.windowsCaught.size}${lost.length ? ` LOST ${lost.join(',')}` : ''}${gained.length ? ` +${gained.length}` : ''}`;
  return `${label.padEnd(28)}${scores}   ${`${r.fpAlerts}${fpDelta}`.padEnd(18)}${w.padEnd(10)} ${r.feedbackGiven}`;
}

function table(title: string, files: FileData[], ks: number[], halfLifeMs: number): void {
  console.log(`\n== ${title}`);
  console.log(`${'run'.padEnd(28)}${'standard'.padStart(9)}${'low_FP'.padStart(9)}${'low_FN'.padStart(9)}   ${'FP alerts'.padEnd(18)}${'windows'.padEnd(10)}feedback given`);
  const base = run(files, 0, halfLifeMs);
  console.log(line('k = 0 (baseline, no feedback)', base, nab(files, base), null));
  for (const k of ks) {
    const r = run(files, k, halfLifeMs);
    console.log(line(`k = ${k}`, r, nab(files, r), base));
  }
}

function timing(files: FileData[], halfLifeMs: number): void {
  let bare = 0;
  let gated = 0;
  for (let rep = 0; rep < 2; rep++) {
    for (const f of files) {
      const t0 = performance.now();
      const det = new AnomalyDetector();
      for (let i = 0; i < f.rows.length; i++) det.observe(f.name, f.ts[i], f.rows[i].value, null);
      const t1 = performance.now();
      const policy = new FeedbackPolicy(settings(halfLifeMs));
      for (let j = 0; j < 5; j++) policy.apply({ alertId: `x${j}`, series: f.name, alertTs: f.ts[0] + j, score: 0.45, verdict: 'false_positive', channel: 'http', at: j });
      const gate = new FeedbackGate(new AnomalyDetector(), policy);
      for (let i = 0; i < f.rows.length; i++) gate.observe(f.name, f.ts[i], f.rows[i].value, null);
      const t2 = performance.now();
      bare += t1 - t0;
      gated += t2 - t1;
    }
  }
  const ticks = 2 * files.reduce((n, f) => n + f.rows.length, 0);
  console.log(`\ntime per tick: detector ${((bare * 1000) / ticks).toFixed(2)} µs (baseline, same run); detector + feedback gate (5 entries per series) ${((gated * 1000) / ticks).toFixed(2)} µs; ratio ${(gated / bare).toFixed(3)}×`);
}

function main(): void {
  const dataDir = resolve(process.env.NAB_DIR ?? join(process.cwd(), '..', 'shared', 'data', 'nab'));
  const labels = join(dataDir, 'labels', 'combined_windows.json');
  if (!existsSync(labels)) {
    console.log(`bench:feedback skipped: no NAB data at ${dataDir}`);
    return;
  }
  const ks = (process.env.FEEDBACK_K ?? '1,2,3,5').split(',').map(Number);
  const windows = readWindows(labels);
  const files: FileData[] = listCorpusFiles(dataDir)
    .filter((n) => n in windows)
    .map((name) => {
      const rows = readDataCsv(join(dataDir, name));
      const spans = windows[name].map(([a, b]) => [nabTimestampMs(a), nabTimestampMs(b)] as [number, number]);
      return { name, rows, ts: rows.map((r) => nabTimestampMs(r.timestamp)), windows: windows[name], spans };
    });
  const ticks = files.reduce((n, f) => n + f.rows.length, 0);
  const h = defaults.falsePositiveHalfLifeMs;
  console.log(`NAB dev subset: ${dataDir} — ${files.length} files, ${ticks} ticks, ${files.reduce((n, f) => n + f.windows.length, 0)} windows`);
  console.log(`detections = alerts sent (firing events after the feedback gate); NAB scores normalised (null 0, perfect 100), one threshold per profile`);
  console.log(`feedback: false_positive on the first k out-of-window alerts of each file, at the alert's time; bar = min(score + ${defaults.marginScore}, critical ${DEFAULT_ANOMALY_CONFIG.criticalThreshold}), half-life ${h / 3_600_000} h`);
  table(`default half-life ${h / 3_600_000} h (feedback.falsePositiveHalfLifeMs)`, files, ks, h);
  const others = process.env.FEEDBACK_HALF_LIVES_H ? process.env.FEEDBACK_HALF_LIVES_H.split(',').map((x) => Number(x) * 3_600_000) : [h / 4, 4 * h];
  for (const o of others) table(`half-life ${o / 3_600_000} h (${(o / h).toFixed(2)}× the default)`, files, ks, o);
  timing(files, h);
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (timings noisy on a shared machine; scores are deterministic)`);
}

main();
