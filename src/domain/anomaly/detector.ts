/**
 * The anomaly detector: called once per tick per series (and per scored feature of a
 * multivariate series), causal (a tick is scored only from what came before it), bounded memory
 * per series, no I/O, no wall clock (cooldowns run on the ticks' own timestamps, so a replay
 * gives the same alerts). Scoring of one value (tick-score.ts, on the state of series-state.ts):
 *
 *  1. views of surprise, each turned into its own anomaly likelihood (likelihood.ts):
 *     - forecast view: |value − expectation| in σ units — the model's band (earned trust,
 *       blended) and the detector's own analogue forecaster (analogue-forecaster.ts);
 *     - volatility view: change in how much the series moves (volatility-view.ts) — flatlines,
 *       variance and frequency changes, which a one-step forecaster cannot see;
 *     - pattern views (off by default): ART-like shape novelty (pattern-view.ts);
 *     - context view (off by default): CAD OSE-like novelty of the sequence of levels
 *       (context-view.ts);
 *     - seasonal view: a value unlike the same phase of the last cycles, the period found by
 *       autocorrelation (seasonal-view.ts) — a missing daily bump, a holiday;
 *  2. the combination: the smallest tail probability times the number of views, log-scaled to
 *     [0, 1] (1e-5 → 0.5);
 *  3. a value outside the all-time range of the series by more than `rangeTolerance` of the range
 *     scores 1 (a level never seen before is always worth a look), once `rangeWarmupTicks` passed
 *     and unless the forecaster expected it; so does one outside the range of the last
 *     `recentRangeTicks` values by `recentRangeTolerance` of it (recent-range.ts);
 *  4. surprise is news once: damped by the highest score of the last `refractoryTicks` ticks.
 * The first `learningTicks` ticks of a series score 0 and never alert.
 *
 * Features: `observe(series, …, feature)` keeps separate state and a separate alert per feature
 * of a series; `peek(series)` combines them (firing when any feature fires). `maxSeries` and
 * `forget` work per series (all its features together).
 */
import { SizedArenas } from '../arena.ts';
import { AlertState, type Severity } from './alert-state.ts';
import { resolveAnomalyConfig, type AnomalyConfig } from './config.ts';
import { CountGate, fromLogSpace, GATE_LOG, GATE_UNDECIDED, toLogSpace } from './count-gate.ts';
import { SeriesState } from './series-state.ts';
import { scoreTick, type TickScore } from './tick-score.ts';
import { zoneOf } from './local-hours.ts';
import type { Expectation, SurpriseView } from './views.ts';

export { SURPRISE_VIEWS, type Expectation, type SurpriseView } from './views.ts';

export interface AnomalyEvent {
  state: 'firing' | 'resolved';
  severity: Severity;
  series: string;
  /** The feature (column) that fired; '' or absent when the caller did not name one. */
  feature?: string;
  tsMs: number;
  value: number;
  score: number;
  /** The expectation the score was judged against: the model's when given, else the fallback's. */
  expected: Expectation | null;
  /** 'model' when the model's band took part in the score, 'fallback' otherwise. */
  basis: 'model' | 'fallback';
  /** Firing events: the view of surprise (or never-seen rule) that set the score of this tick. */
  view?: SurpriseView;
  /**
   * Set by the feedback gate only: the firing was held back by a maintenance span (`expected`
   * feedback) and is sent at this later tick because the alert still fires after the span.
   */
  heldUntilTs?: number;
  /**
   * Resolved events only: `stale` — the feature had no value for longer than `staleFeatureMs`
   * (`tsMs` is the tick that found it so, `value` and `score` the feature's last). Absent otherwise.
   */
  reason?: 'stale';
}

export interface Observation {
  /** Anomaly score in [0, 1]. */
  score: number;
  event?: AnomalyEvent;
  /** Set when this tick ended a gap in the feature's event time: typical intervals since the previous tick. */
  gap?: number;
  /** Set when readings were missed just before this tick (a series read on a clock, the tick 2 to gapFactor intervals late: ../gap-clock.ts). */
  missed?: number;
}

/** Per-feature part of `peek`. */
export interface FeatureState {
  phase: 'normal' | 'firing';
  severity: Severity;
  lastScore: number;
}

/** Series-level state: the combination of its features' states. */
export interface SeriesAnomalyState extends FeatureState {
  ticks: number;
  /** Features whose alert is firing now (sorted). */
  firingFeatures: string[];
  features: Record<string, FeatureState>;
}

/** One scored feature: its views' state (replaced once if the count gate picks log space), alert and count gate. */
interface FeatureEntry {
  state: SeriesState;
  alert: AlertState;
  gate: CountGate;
}

class Features {
  readonly byName = new Map<string, FeatureEntry>();
}

/** An expectation with each of its quantiles mapped by `f` (monotone: the order is kept). */
const mapExpectation = (e: Expectation | null, f: (x: number) => number): Expectation | null =>
  e && { lower: f(e.lower), p50: f(e.p50), upper: f(e.upper) };

export class AnomalyDetector {
  readonly config: Readonly<AnomalyConfig>;
  /**
   * The config a feature scored in log space (count-gate.ts) is scored with: the same, but for the
   * long-cycle filter, which stays idle there. Heavy-tailed counts break its runs of explained
   * ticks, and on weekly bursty counts it cost points (docs/anomaly-rounds.md, eleventh round).
   * The state keeps the filter's (idle) arrays, so both kinds of state have one shape in snapshots.
   */
  private readonly logConfig: Readonly<AnomalyConfig>;
  /**
   * Version of the per-series state's shape in snapshots (exportSeries): bump it when a typed
   * array's length or a field's meaning changes for the same config, so that a snapshot of the
   * old shape is not installed. 2: the analogue forecaster's ring holds historyTicks + contextTicks;
   * 3: each feature has a count gate (count-gate.ts); 4: each state has a resolution (resolution.ts);
   * 5: and a recent range (recent-range.ts); 6: and a long-cycle filter (long-cycle.ts). Still 6 since
   * the likelihood and seasonal rings grow as they fill: a fresh ring is grown to a saved one's length
   * before the copy (the snapshot codec's `fillFrom`), so snapshots of full-length rings load.
   */
  readonly stateLayout = 6;
  /** Insertion order = recency order (re-inserted on every observation): the first key is the LRU. */
  private readonly series = new Map<string, Features>();
  private readonly arenas = new SizedArenas();
  /** States rebuilt in log space by the count gate (sized apart: they come without a gate). */
  private readonly logArenas = new SizedArenas();

  constructor(config: Partial<AnomalyConfig> = {}) {
    this.config = resolveAnomalyConfig(config);
    this.logConfig = Object.freeze({ ...this.config, longCycleMaxPeriod: 0 });
  }

  /** Series currently tracked. */
  get size(): number {
    return this.series.size;
  }

  /** Drop all state of a series, every feature (evicted from the window store, deleted, or idle). */
  forget(series: string): boolean {
    return this.series.delete(series);
  }

  /**
   * Snapshot hooks (src/pipeline/snapshot): the live per-series state as a plain object keyed by
   * feature name (`{ [feature]: { state, alert } }`, read synchronously by the snapshot codec:
   * plain fields and typed arrays; references to the config are skipped), and a way to install
   * one: `fill` receives fresh state objects for the named features to copy the saved fields into.
   */
  exportSeries(series: string): object | undefined {
    const f = this.series.get(series);
    return f && Object.fromEntries(f.byName);
  }

  importSeries(series: string, features: readonly string[], fill: (fresh: object) => void): void {
    const f = new Features();
    for (const name of features) f.byName.set(name, this.newState(series));
    fill(Object.fromEntries(f.byName));
    this.series.delete(series);
    this.series.set(series, f);
  }

  /**
   * Series-level state for the serving API (undefined when not tracked): firing when any feature
   * fires, critical when any firing feature is critical, lastScore the highest of its features.
   */
  peek(series: string): SeriesAnomalyState | undefined {
    const f = this.series.get(series);
    if (f === undefined) return undefined;
    const out: SeriesAnomalyState = { phase: 'normal', severity: 'warning', lastScore: 0, ticks: 0, firingFeatures: [], features: {} };
    for (const [name, { state, alert }] of f.byName) {
      out.features[name] = { phase: alert.phase, severity: alert.severity, lastScore: state.lastScore };
      out.ticks = Math.max(out.ticks, state.ticks);
      out.lastScore = Math.max(out.lastScore, state.lastScore);
      if (alert.phase !== 'firing') continue;
      out.phase = 'firing';
      out.firingFeatures.push(name);
      if (alert.severity === 'critical') out.severity = 'critical';
    }
    out.firingFeatures.sort();
    return out;
  }

  /** One feature's fresh state for `series`, its typed arrays in one buffer (src/domain/arena.ts). */
  private newState(series: string): FeatureEntry {
    const c = this.config;
    const zone = zoneOf(series, c.longCycleTimeZones, c.longCycleTimeZone);
    const built = this.arenas.build((alloc) => ({ state: new SeriesState(c, alloc, zone), gate: new CountGate(c.countTransform ? c.learningTicks : 0, alloc) }));
    return { ...built, alert: new AlertState(c) };
  }

  /**
   * Score one finite value through the feature's count gate: in the series' units while the gate
   * is undecided or chose them; in log space once it chose that — the first ticks replayed into a
   * fresh state, so every view sees log values from the start. Expectations go into log space and
   * the one reported comes back in the series' units.
   */
  private score(f: FeatureEntry, value: number, expected: Expectation | null, tsMs: number): TickScore {
    const g = f.gate;
    if (g.mode === GATE_UNDECIDED) {
      const t = scoreTick(f.state, this.config, value, expected, tsMs);
      if (g.note(value, tsMs)) {
        f.state = this.logArenas.build((alloc) => new SeriesState(this.config, alloc));
        for (let i = 0; i < g.n; i++) scoreTick(f.state, this.logConfig, toLogSpace(g.values[i]), null, g.ts[i]);
      }
      return t;
    }
    if (g.mode !== GATE_LOG) return scoreTick(f.state, this.config, value, expected, tsMs);
    const t = scoreTick(f.state, this.logConfig, toLogSpace(value), mapExpectation(expected, toLogSpace), tsMs);
    t.expected = t.basis === 'model' ? expected : mapExpectation(t.expected, fromLogSpace);
    return t;
  }

  private features(series: string): Features {
    let f = this.series.get(series);
    if (f === undefined) {
      f = new Features();
      if (this.series.size >= this.config.maxSeries) this.series.delete(this.series.keys().next().value as string);
    } else this.series.delete(series);
    this.series.set(series, f);
    return f;
  }

  /**
   * `series` stepped back onto its true clock at `tsMs`, before the tick at `tsMs` is observed:
   * each feature's cooldown (AlertState.clockBack) and gap clock (GapClock.stepBack) go on from it.
   * The long-cycle filter's open hour stays at the fast tick's (docs/anomaly.md § The contract with the pipeline).
   */
  stepBack(series: string, tsMs: number): void {
    for (const f of this.series.get(series)?.byName.values() ?? []) {
      f.alert.clockBack(tsMs);
      f.state.gaps.stepBack(tsMs);
    }
  }

  /**
   * No value of `feature` on this tick: its state is unchanged and its last score returned; a
   * firing alert whose feature's last value is more than `staleFeatureMs` (event time) before this
   * tick resolves, reason `stale` (its value and score the last it had).
   */
  private missing(series: string, feature: string, st: FeatureEntry, tsMs: number): Observation {
    const score = st.state.lastScore;
    const limit = this.config.staleFeatureMs;
    if (limit === 0 || !(tsMs - st.state.gaps.lastTsMs > limit)) return { score };
    const tr = st.alert.stale();
    if (tr === undefined) return { score };
    const last = st.state.forecaster.last();
    const value = st.gate.mode === GATE_LOG ? fromLogSpace(last) : last;
    return { score, event: { state: tr.state, severity: tr.severity, series, feature, tsMs, value, score, expected: null, basis: 'fallback', reason: 'stale' } };
  }

  /**
   * Score one value of `feature` of `series` (one call per scored feature per tick, in tick
   * order). `expected` is the model's one-step forecast for that feature, or null.
   */
  observe(series: string, tsMs: number, value: number, expected: Expectation | null, feature = ''): Observation {
    const f = this.features(series);
    let st = f.byName.get(feature);
    if (st === undefined) {
      st = this.newState(series);
      f.byName.set(feature, st);
    }
    if (!Number.isFinite(value)) return this.missing(series, feature, st, tsMs);
    const t = this.score(st, value, expected, tsMs);
    const tr = st.alert.step(t.score, t.level, tsMs);
    const base: Observation = { score: t.score };
    if (t.gap.intervals > 0) base.gap = t.gap.intervals;
    if (t.gap.missed > 0) base.missed = t.gap.missed;
    if (tr === undefined) return base;
    return {
      ...base,
      event: {
        state: tr.state, severity: tr.severity, series, feature, tsMs, value, score: t.score, expected: t.expected, basis: t.basis,
        ...(tr.state === 'firing' ? { view: t.view } : {}),
      },
    };
  }
}
