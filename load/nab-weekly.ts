/**
 * A weekly rhythm at 5-minute ticks (bench:nab's weekly section): the case the long-cycle filter
 * is for (src/domain/anomaly/long-cycle.ts, docs/anomaly.md). Synthetic, made in code: 8 weeks from
 * a Monday 00:00 UTC, a daily cycle of amplitude 10, weekdays `level` above the weekend, Gaussian
 * noise σ. Two measurements, with and without the filter:
 *
 * - alerts the detector sends over the 8 weeks (16 weekday/weekend edges), with the edges on the
 *   hour and 25 minutes off it (the filter reads hours of event time, so only the first is its case);
 * - anomalies injected into such series (a spike, a 2-hour dip, a 2-hour rise, a value stuck for 2
 *   hours, 2 hours of 4× noise, a Tuesday–Friday at the weekend level), 6 seeds each at a random
 *   time in weeks 5–7: caught when a score reaches the warning threshold within the anomaly or the
 *   hour after it — what the filter must not hide;
 * - a labelled corpus of such series (60 sources, 6 weeks each: daily amplitude, weekday level,
 *   noise and phase drawn per series), smooth and as bursty counts (src/eval/nab/bursts.ts), with
 *   the injected corpus's anomalies laid out by its own code (src/eval/nab/inject.ts, 8 files per
 *   kind and 8 untouched), NAB-scored at the corpus's best threshold and as the alerts the service
 *   sends — the trait of NAB's volume series that span weeks at 5-minute ticks.
 */
import { AnomalyDetector, type AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { detectRows } from '../src/eval/nab/index.ts';
import { burstyCounts } from '../src/eval/nab/bursts.ts';
import { buildInjectedCorpus, rowTimestamp, type SourceSeries } from '../src/eval/nab/inject.ts';
import { gauss, mulberry32 } from '../src/model/random.ts';
import { sentAlerts } from './nab-alerts.ts';
import { evaluate, type LabelledCorpus } from './nab-corpora.ts';

const STEP_MS = 300_000;
const DAY = 288;
const WEEK = 7 * DAY;
const WEEKS = 8;
const MONDAY = Date.UTC(2026, 0, 5);
const KINDS = ['spike', 'dip', 'rise', 'stuck', 'noise', 'holiday'] as const;
type Kind = (typeof KINDS)[number];
const SEEDS = 6;

function value(t: number, level: number, sigma: number, r: () => number, offset: number): number {
  const s = t + offset;
  const weekday = Math.floor((s % WEEK) / DAY) < 5;
  return 50 + 10 * Math.sin((2 * Math.PI * s) / DAY) + (weekday ? level : 0) + sigma * gauss(r);
}

function alertsSent(config: Partial<AnomalyConfig>, level: number, sigma: number, offset: number): number {
  const r = mulberry32(7);
  const d = new AnomalyDetector(config);
  let n = 0;
  for (let t = 0; t < WEEKS * WEEK; t++) if (d.observe('s', MONDAY + t * STEP_MS, value(t, level, sigma, r, offset), null).event?.state === 'firing') n++;
  return n;
}

/** Whether one injected anomaly of `kind` scores ≥ the warning threshold within it or the hour after. */
function caught(config: Partial<AnomalyConfig>, kind: Kind, level: number, sigma: number, seed: number): boolean {
  const r = mulberry32(seed * 97 + level);
  const at0 = 4 * WEEK + Math.floor(r() * 3 * WEEK);
  const at = kind === 'holiday' ? Math.floor(at0 / WEEK) * WEEK + (1 + (at0 % 4)) * DAY : at0;
  const len = kind === 'spike' ? 1 : kind === 'holiday' ? DAY : 24;
  const d = new AnomalyDetector({ ...config, refractoryTicks: 0, restTicks: 0 });
  let stuck = 0;
  for (let t = 0; t < at + len + 12; t++) {
    let v = value(t, level, sigma, r, 0);
    if (t === at - 1) stuck = v;
    if (t >= at && t < at + len) {
      if (kind === 'spike') v += 8 * sigma + 4;
      else if (kind === 'dip') v -= 4 * sigma + 3;
      else if (kind === 'rise') v += 4 * sigma + 3;
      else if (kind === 'stuck') v = stuck;
      else if (kind === 'noise') v += 3 * sigma * gauss(r);
      else v -= level; // holiday: a weekday at the weekend level
    }
    const score = d.observe('s', MONDAY + t * STEP_MS, v, null).score;
    if (t >= at && score >= d.config.warningThreshold) return true;
  }
  return false;
}

/** Local clock offset (ms) at UTC time ts: Kolkata's fixed +5:30, New York's −5 h until the 8 March 2026 switch, −4 h after. */
const ZONES = {
  'Asia/Kolkata': (): number => 5.5 * 3_600_000,
  'America/New_York': (ts: number): number => (ts < Date.UTC(2026, 2, 8, 7) ? -5 : -4) * 3_600_000,
} as const;

/** Alerts sent from week `fromWeek` on, 3 seeds, on a series whose rhythm follows `zone`'s clock (its edges at local midnight). */
function alertsOnLocalTime(config: Partial<AnomalyConfig>, zone: keyof typeof ZONES, level: number, weeks: number, fromWeek: number): number {
  const off = ZONES[zone];
  let n = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const r = mulberry32(seed);
    const d = new AnomalyDetector(config);
    const start = MONDAY - off(MONDAY);
    for (let t = 0; t < weeks * WEEK; t++) {
      const ts = start + t * STEP_MS;
      const local = (ts + off(ts) - MONDAY) / STEP_MS;
      if (d.observe('s', ts, value(local, level, 0.5, r, 0), null).event?.state === 'firing' && t >= fromWeek * WEEK) n++;
    }
  }
  return n;
}

function localTimeLines(on: Partial<AnomalyConfig>): void {
  console.log('\n== the same rhythm on local time (edges at local midnight, σ 0.5, 3 seeds): alerts sent with hours of UTC / of the series\' zone (longCycleTimeZone)');
  for (const level of [6, 12]) {
    const k = [alertsOnLocalTime(on, 'Asia/Kolkata', level, 8, 3), alertsOnLocalTime({ ...on, longCycleTimeZone: 'Asia/Kolkata' }, 'Asia/Kolkata', level, 8, 3)];
    const ny = [alertsOnLocalTime(on, 'America/New_York', level, 13, 9), alertsOnLocalTime({ ...on, longCycleTimeZone: 'America/New_York' }, 'America/New_York', level, 13, 9)];
    console.log(`L ${String(level).padEnd(3)} Asia/Kolkata (18:30 UTC), weeks 3–7: ${k[0]} / ${k[1]}    America/New_York, the 4 weeks after the March daylight-saving switch: ${ny[0]} / ${ny[1]}`);
  }
}

const CORPUS_WEEKS = 6;

/** 60 weekly 5-minute series, each with its own daily amplitude (2–10), weekday level (0–12), noise (0.3–3) and phase (whole hours). */
function weeklySources(): SourceSeries[] {
  const timestamps = Array.from({ length: CORPUS_WEEKS * WEEK }, (_, i) => rowTimestamp(MONDAY + i * STEP_MS));
  return Array.from({ length: 60 }, (_, i) => {
    const r = mulberry32(1000 + i);
    const amp = 2 + 8 * r();
    const level = 12 * r();
    const sigma = 0.3 + 2.7 * r();
    const phase = Math.floor(r() * 24) * 12;
    const values = Array.from({ length: CORPUS_WEEKS * WEEK }, (_, t) => {
      const weekday = Math.floor((t % WEEK) / DAY) < 5;
      return 50 + amp * Math.sin((2 * Math.PI * (t + phase)) / DAY) + (weekday ? level : 0) + sigma * gauss(r);
    });
    return { id: `weekly${i}`, values, timestamps };
  });
}

function weeklyCorpus(bursty: boolean, seed: number): LabelledCorpus {
  let src = weeklySources();
  if (bursty) src = src.map((s, i) => ({ ...s, values: burstyCounts(s.values, mulberry32(seed * 65537 + i)) }));
  const files = buildInjectedCorpus({ m4: src, perKind: 8, seed });
  const names = files.map((f) => f.name);
  return { label: `${bursty ? 'bursty ' : ''}weekly 5-minute corpus (seed ${seed})`, names, rows: new Map(files.map((f) => [f.name, f.rows])), windows: Object.fromEntries(files.map((f) => [f.name, f.windows])), ticks: names.length * CORPUS_WEEKS * WEEK };
}

function corpusLines(seed: number, on: Partial<AnomalyConfig>, off: Partial<AnomalyConfig>): void {
  for (const bursty of [false, true]) {
    const c = weeklyCorpus(bursty, seed);
    console.log(`\n== ${c.label} (56 files, 48 windows), long-cycle filter on / off: NAB at the corpus's threshold (standard / low FP / low FN)`);
    for (const [label, config] of [['on', on], ['off', off]] as const) {
      const e = evaluate(c, (rows) => detectRows(rows, config));
      const std = e.results.find((r) => r.profile === 'standard')!;
      console.log(`${label.padEnd(4)} ${e.results.map((r) => (r.corpus.normalised ?? 0).toFixed(1)).join(' / ')} (${std.corpus.windowsDetected}/${std.corpus.windows}, ${std.corpus.fp} FP)`);
    }
    sentAlerts(c, [['long-cycle filter on', on], ['long-cycle filter off', off]]);
  }
}

export function weeklySection(overrides: Partial<AnomalyConfig>, seed = 13): void {
  const on = overrides;
  const off = { ...overrides, longCycleMaxPeriod: 0 };
  console.log('\n== a weekly rhythm at 5-minute ticks (8 weeks, weekdays L above the weekend, noise σ): alerts sent, long-cycle filter on / off');
  console.log('L    σ     edges on the hour    edges 25 min off the hour');
  for (const level of [6, 12]) {
    for (const sigma of [0.5, 2, 5]) {
      const onHour = `${alertsSent(on, level, sigma, 0)} / ${alertsSent(off, level, sigma, 0)}`;
      const offHour = `${alertsSent(on, level, sigma, 5)} / ${alertsSent(off, level, sigma, 5)}`;
      console.log(`${String(level).padEnd(4)} ${String(sigma).padEnd(5)} ${onHour.padEnd(20)} ${offHour}`);
    }
  }
  console.log(`\n== anomalies injected into those series (${SEEDS} seeds each, weeks 5–7, edges on the hour): caught, long-cycle filter on / off`);
  console.log(`L    σ     ${KINDS.map((k) => k.padEnd(9)).join(' ')}`);
  const total = [0, 0];
  for (const sigma of [0.5, 2]) {
    for (const level of [6, 12]) {
      const cells = KINDS.map((kind) => {
        const n = [on, off].map((c) => Array.from({ length: SEEDS }, (_, i) => caught(c, kind, level, sigma, i + 1)).filter(Boolean).length);
        total[0] += n[0];
        total[1] += n[1];
        return `${n[0]}/${n[1]}`.padEnd(9);
      });
      console.log(`${String(level).padEnd(4)} ${String(sigma).padEnd(5)} ${cells.join(' ')}`);
    }
  }
  console.log(`caught in all: ${total[0]} / ${total[1]} of ${4 * KINDS.length * SEEDS}`);
  localTimeLines(on);
  corpusLines(seed, on, off);
}
