/**
 * The fine-tuner's data, fed by the pipeline tick by tick (TickObservation: values, the window
 * store's statistics, the forecast made for the tick, whether it is suppressed): ticks become
 * training pairs (./live-pairs.ts) in the replay buffer, pairs born after a challenger (or a
 * promotion) queue up for prequential scoring, and the served model's residuals feed drift
 * detection (Page-Hinkley). Suppressed ticks (firing alert, confirmed anomaly) make no pair and
 * no residual.
 */
import type { TickObservation } from '../../pipeline/ports.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import { mulberry32 } from '../random.ts';
import { PageHinkley, type PageHinkleyOptions } from './drift.ts';
import { LivePairs, type LivePairsOptions, type Pair } from './live-pairs.ts';
import type { ModelRole } from './protocol.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import type { TrainBatch } from './trainer.ts';

/** window, horizon, features, targets, maxSeries: as LivePairs takes them (handed on as they are). */
export interface LiveFeedOptions extends Omit<LivePairsOptions, 'maxAbsZ'> {
  replayCapacity: number;
  /** Most pairs queued for scoring (the oldest are dropped beyond). */
  maxQueued: number;
  seed: number;
  drift: PageHinkleyOptions;
  metrics: Metrics;
  /** True while pairs should queue for scoring (shadow, watching). */
  isScoring: () => boolean;
  /** Called when drift is detected (series, residual in σ units). */
  onDrift: (series: string, residual: number) => void;
}

/** Pairs as one batch: x [n, W, F], y [n, H, T]. */
export function toBatch(pairs: Pair[]): TrainBatch {
  const W = pairs[0].x.length;
  const H = pairs[0].y.length;
  const x = new Float32Array(pairs.length * W);
  const y = new Float32Array(pairs.length * H);
  pairs.forEach((p, i) => {
    x.set(p.x, i * W);
    y.set(p.y, i * H);
  });
  return { x, y, batch: pairs.length };
}

export class LiveFeed {
  readonly #o: LiveFeedOptions;
  readonly #pairs: LivePairs;
  readonly buffer: ReplayBuffer;
  readonly #drift: PageHinkley;
  readonly #queue: Pair[] = [];
  #acc = { count: 0, sums: {} as Partial<Record<ModelRole, number>> };
  #birthSeq = 0;

  constructor(o: LiveFeedOptions) {
    this.#o = o;
    this.#pairs = new LivePairs({ window: o.window, horizon: o.horizon, features: o.features, targets: o.targets, maxSeries: o.maxSeries });
    this.buffer = new ReplayBuffer(o.replayCapacity, mulberry32(o.seed));
    this.#drift = new PageHinkley(o.drift);
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Score from now on: only pairs whose origin arrives after now queue up; scores restart. */
  scoreFromNow(): void {
    this.#acc = { count: 0, sums: {} };
    this.#birthSeq = this.#pairs.seq;
    this.#queue.length = 0;
  }

  clearQueue(): void {
    this.#queue.length = 0;
  }

  /**
   * Score what is queued now with `roles` (`score` asks the trainer for the summed error per role),
   * add it to the running totals and return the mean error per role over every pair scored since
   * `scoreFromNow`; null when `valid()` turned false meanwhile. Only what is queued at the call is
   * scored: on a fast stream the queue refills faster than the trainer scores, and waiting for it
   * to drain would postpone the decision for ever.
   */
  async score(roles: ModelRole[], score: (pairs: TrainBatch) => Promise<{ count: number; scores: Partial<Record<ModelRole, number>> }>, valid: () => boolean): Promise<{ count: number; mae: Partial<Record<ModelRole, number>> } | null> {
    let budget = this.#queue.length;
    while (budget > 0 && this.#queue.length > 0) {
      const chunk = this.#queue.splice(0, Math.min(256, budget));
      budget -= chunk.length;
      const r = await score(toBatch(chunk));
      if (!valid()) return null;
      this.#acc.count += r.count;
      for (const role of roles) this.#acc.sums[role] = (this.#acc.sums[role] ?? 0) + (r.scores[role] ?? 0);
    }
    const n = this.#acc.count;
    return { count: n, mae: Object.fromEntries(roles.map((role) => [role, (this.#acc.sums[role] ?? 0) / Math.max(1, n)])) };
  }

  observe(o: TickObservation): void {
    const t0 = this.#o.targets[0];
    if (o.expected !== null && !o.suppressed) {
      const r = Math.abs(o.values[t0] - o.expected) / o.std[t0];
      if (Number.isFinite(r) && this.#drift.update(r)) this.#o.onDrift(o.series, r);
    }
    const p = this.#pairs.push(o);
    if (!p) return;
    this.buffer.add(p);
    this.#o.metrics.replayBufferSize.set(this.buffer.size);
    if (this.#o.isScoring() && p.originSeq >= this.#birthSeq) {
      this.#queue.push(p);
      if (this.#queue.length > this.#o.maxQueued) this.#queue.shift();
    }
  }

  /** Pairs not made because a tick of theirs was suppressed. */
  get suppressedPairs(): number {
    return this.#pairs.suppressed;
  }

  forget(series: string): void {
    this.#pairs.forget(series);
    this.buffer.forget(series);
  }

  /** True while any per-series state of this series is kept (tests of the series registry). */
  tracks(series: string): boolean {
    return this.#pairs.has(series);
  }

  /**
   * The round's data: the newest `holdout` pairs to judge on, of every series or, with many, of at
   * most half of them (ReplayBuffer.holdout), and up to `n` training pairs drawn from before them, less those whose
   * targets reach into the slice's part of their series (no value the slice judges is trained
   * on); null while there is not enough live data.
   */
  roundData(holdout: number, n: number, minTrain: number): { train: TrainBatch; holdout: TrainBatch } | null {
    const d = this.roundPairs(holdout, n, minTrain);
    return d && { train: toBatch(d.train), holdout: toBatch(d.holdout) };
  }

  /** roundData's pairs: no training pair's target tick is one a hold-out pair of its series is scored on. */
  roundPairs(holdout: number, n: number, minTrain: number): { train: Pair[]; holdout: Pair[] } | null {
    const hold = this.buffer.holdout(holdout, this.#o.horizon);
    if (hold.length < holdout) return null;
    const holdStart = hold.reduce((m, p) => Math.min(m, p.originSeq), Infinity);
    const purge = new Map<string, number>();
    for (const p of hold) if (!purge.has(p.series)) purge.set(p.series, p.originSeq); // oldest first
    if (this.buffer.countBefore(holdStart, purge, minTrain) < minTrain) return null;
    return { train: this.buffer.sample(n, holdStart, purge), holdout: hold };
  }
}
