/**
 * Online fine-tuning: the driver of the round policy (./round-policy.ts, where the states and
 * transitions are written down). It feeds events to the policy — loop steps, the trainer's
 * results, manual rollbacks — and carries out the actions the policy returns: train a challenger
 * (a copy of the champion) in the trainer, score it in shadow on live pairs, promote it, watch it,
 * roll it back. Nothing here runs a model on the serving thread: training and every score happen
 * in the trainer (a child process or worker thread, ./trainer-host.ts); the serving thread only
 * copies small arrays and, on promotion, builds the new engine and swaps it in atomically.
 *
 * "Shadow" and "watching" are prequential: only pairs whose forecast origin (the window's last
 * tick) arrived after the challenger was created (or promoted) are scored, both models on the same
 * pairs, once the truth for the whole horizon is known. A forecast is a pure function of its
 * window, so scoring at truth time in the trainer equals forecasting at origin time.
 * See docs/finetuning.md.
 */
import type { Config } from '../../config/load.ts';
import { ErrorCodes, describeError } from '../../errors/index.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { TickLearner, TickObservation } from '../../pipeline/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { EngineOffload } from '../engine-builder.ts';
import type { ModelVersion } from '../version-registry.ts';
import type { WeightMap } from '../weight-names.ts';
import { type PageHinkleyOptions } from './drift.ts';
import { LiveFeed, toBatch } from './live-feed.ts';
import type { ModelRole, WorkerReply } from './protocol.ts';
import { initialRoundState, transition, type FineTuneState, type RoundAction, type RoundEvent, type RoundLimits, type RoundRecord, type RoundState } from './round-policy.ts';
import { TrainerHost } from './trainer-host.ts';
import type { TrainerIsolation } from './worker-client.ts';

export type { FineTuneState, RoundRecord };
export type { EngineOffload };

/** Knobs not in the config file (tests and benchmarks); defaults in parentheses. */
export interface FineTuneTuning {
  /** Pairs per gradient step (32). */
  batchSize?: number;
  /** Hold-out pairs scored per round (min(minSamples, 512)). */
  holdout?: number;
  /** Loop period in ms (250). */
  tickMs?: number;
  /** Shadow phase gives up after this long without enough live pairs (max(3 × intervalMs, 30 s)). */
  shadowTimeoutMs?: number;
  /** Raw gradient norm above which a step is treated as divergent (1e4). */
  maxGradNorm?: number;
  /** Most training pairs sent to the trainer per round (4096). */
  maxTrainPairs?: number;
  /**
   * Fraction of wall time the trainer computes (training steps and scoring slices); it rests in
   * proportion (1 = flat out). Default: config.finetune.dutyCycle (0.15) — on 2 cores serving p99
   * follows the trainer's CPU share (docs/benchmarks.md § Online fine-tuning).
   */
  dutyCycle?: number;
  /** Linux niceness of the trainer. Default: config.finetune.workerNice (10). */
  niceness?: number;
  /** Trainer in a child process or a worker thread. Default: config.finetune.isolation (process). */
  isolation?: TrainerIsolation;
  /** Minimum time between two drift-triggered rounds (intervalMs / 4). */
  driftCooldownMs?: number;
  drift?: PageHinkleyOptions;
  seed?: number;
}

/** What the fine-tuner needs from the model lifecycle (implemented by the Promoter). */
export interface ChampionControl {
  /** The serving version (its weights are never mutated). */
  readonly champion: ModelVersion;
  readonly pinned: boolean;
  /** Save and serve new weights as the next version; resolves to its label. */
  promote(weights: WeightMap, meta: Record<string, unknown>, offload: EngineOffload): Promise<string>;
  /** Serve an earlier version again. */
  rollbackTo(version: string, reason: string, offload?: EngineOffload): Promise<void>;
}

export interface FineTunerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  control: ChampionControl;
  tuning?: FineTuneTuning;
}

type Tuning = Required<Omit<FineTuneTuning, 'drift'>> & { drift: PageHinkleyOptions };

const MAX_STEPS = 1_000;
const MAX_LR = 0.01;
const MAX_HISTORY = 50;

function resolveTuning(c: Config, t: FineTuneTuning = {}): Tuning {
  const interval = c.finetune.intervalMs;
  return {
    batchSize: t.batchSize ?? 32,
    holdout: t.holdout ?? Math.min(c.finetune.minSamples, 512),
    tickMs: t.tickMs ?? 250,
    shadowTimeoutMs: t.shadowTimeoutMs ?? Math.max(3 * interval, 30_000),
    maxGradNorm: t.maxGradNorm ?? 1e4,
    maxTrainPairs: t.maxTrainPairs ?? 4096,
    dutyCycle: t.dutyCycle ?? c.finetune.dutyCycle,
    niceness: t.niceness ?? c.finetune.workerNice,
    isolation: t.isolation ?? c.finetune.isolation,
    driftCooldownMs: t.driftCooldownMs ?? interval / 4,
    drift: t.drift ?? {},
    seed: t.seed ?? 7,
  };
}

export class FineTuner implements TickLearner {
  readonly #d: FineTunerDeps;
  readonly #t: Tuning;
  readonly #limits: RoundLimits;
  readonly #log: Logger;
  readonly #feed: LiveFeed;
  readonly #host: TrainerHost;
  readonly #ac = new AbortController();
  #s: RoundState;
  #challenger: WeightMap | null = null;
  #acc = { count: 0, sums: {} as Partial<Record<ModelRole, number>> };
  #driftCount = 0;
  readonly #history: RoundRecord[] = [];
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | undefined;

  constructor(deps: FineTunerDeps) {
    this.#d = deps;
    const c = deps.config;
    const f = c.finetune;
    this.#t = resolveTuning(c, deps.tuning);
    this.#limits = { intervalMs: f.intervalMs, driftCooldownMs: this.#t.driftCooldownMs, shadowTimeoutMs: this.#t.shadowTimeoutMs, minSamples: f.minSamples, minImprovement: f.minImprovement, rollbackRegression: f.rollbackRegression };
    this.#log = deps.logger;
    const spec = deps.control.champion.spec;
    this.#feed = new LiveFeed({
      window: spec.window,
      horizon: spec.horizon,
      features: spec.features.length,
      targets: spec.targets.map((t) => spec.features.indexOf(t)),
      maxSeries: c.windows.maxSeries,
      replayCapacity: f.replayCapacity,
      maxQueued: 8 * f.minSamples,
      seed: this.#t.seed,
      drift: this.#t.drift,
      metrics: deps.metrics,
      isScoring: () => this.#s.phase === 'shadow' || this.#s.phase === 'watching',
      onDrift: (series, r) => this.#onDrift(series, r),
    });
    this.#host = new TrainerHost({ config: c, logger: deps.logger, metrics: deps.metrics, isolation: this.#t.isolation, niceness: this.#t.niceness, dutyCycle: this.#t.dutyCycle, champion: () => deps.control.champion, pinned: () => deps.control.pinned });
    this.#s = initialRoundState();
  }

  get state(): FineTuneState {
    return this.#s.phase;
  }

  /** Rounds run so far, newest last (bounded). */
  get history(): readonly RoundRecord[] {
    return this.#history;
  }

  get bufferSize(): number {
    return this.#feed.buffer.size;
  }

  /** Detections so far. */
  get driftCount(): number {
    return this.#driftCount;
  }

  /** Resolves when the trainer has ended (after stop()); null if it never started. */
  get workerExited(): Promise<number> | null {
    return this.#host.exited;
  }

  /** Tensors alive in the trainer (for leak checks). */
  workerTensors(): Promise<number> {
    return this.#host.tensors();
  }

  status(): Record<string, unknown> {
    return {
      state: this.#s.phase,
      trainer: this.#host.describe(),
      replayBufferSize: this.#feed.buffer.size,
      suppressedPairs: this.#feed.suppressedPairs,
      rounds: this.#s.round,
      driftDetections: this.#driftCount,
      current: this.#s.current ?? undefined,
      last: this.#history[this.#history.length - 1],
    };
  }

  /** One accepted tick from the pipeline (values, statistics, expectation, suppression). */
  observe(o: TickObservation): void {
    if (this.#s.phase === 'disabled' || this.#s.phase === 'stopped') return;
    this.#feed.observe(o);
  }

  forget(series: string): void {
    this.#feed.forget(series);
  }

  /** The serving model was replaced from outside (manual rollback): restart from it. */
  championChanged(why: string): void {
    if (!this.#host.running) return;
    void this.#dispatch({ type: 'championReplaced', now: Date.now(), why });
  }

  /** Pinned: a round in flight is aborted at its next step and none starts until unpinned. */
  pinChanged(pinned: boolean): void {
    this.#host.pause(pinned);
  }

  /** Ask for a round now (tests, operators). */
  requestRound(): void {
    void this.#dispatch({ type: 'requestRound' });
  }

  async start(): Promise<void> {
    if (this.#s.phase !== 'starting') return;
    const ok = await this.#host.start();
    await this.#dispatch(ok ? { type: 'trainerReady', now: Date.now() } : { type: 'trainerFailed' });
    if (ok) this.#loop = this.#run(this.#ac.signal);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#ac.abort();
      this.#host.pause(true); // a round in flight ends at its next step
      await this.#loop?.catch(() => undefined);
      await this.#dispatch({ type: 'stopped' });
      await this.#host.close();
    })();
    return this.#stopping;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await sleep(this.#t.tickMs, signal)) break;
      try {
        if (this.#host.dead) {
          await this.#dispatch({ type: 'trainerDied', reason: this.#host.dead.message });
          if (!(await this.#host.restart(signal))) break;
          await this.#dispatch({ type: 'trainerRestarted', now: Date.now() });
          continue;
        }
        await this.#dispatch({ type: 'step', now: Date.now(), pinned: this.#d.control.pinned });
      } catch (err) {
        if (signal.aborted) break;
        this.#log.error({ err: describeError(err) }, 'fine-tune loop error');
        await this.#dispatch({ type: 'failed' });
      }
    }
  }

  /** Apply one event to the policy, then carry out its actions in order. */
  async #dispatch(e: RoundEvent): Promise<void> {
    const t = transition(this.#s, e, this.#limits);
    this.#s = t.state;
    for (const a of t.actions) await this.#perform(a);
  }

  async #perform(a: RoundAction): Promise<void> {
    const host = this.#host;
    switch (a.type) {
      case 'pauseTrainer':
        return host.pause(a.paused);
      case 'startRound':
        return this.#train(a.trigger);
      case 'score':
        return this.#score(a.roles);
      case 'enterShadow':
        this.#startScoring();
        this.#log.info({ round: a.record.round, holdout: a.record.holdout, seconds: Number((a.record.seconds ?? 0).toFixed(2)) }, `fine-tune round ${a.record.round}: challenger passed the hold-out gate; scoring it in shadow on live ticks`);
        return;
      case 'resetScoring':
        return this.#startScoring();
      case 'clearQueue':
        return this.#feed.clearQueue();
      case 'discardChallenger':
        this.#challenger = null;
        if (a.inTrainer) await host.call({ type: 'discard' });
        return;
      case 'promote':
        return this.#promote(a.record);
      case 'rollback':
        await this.#d.control.rollbackTo(a.to, a.reason, host.offload('previous'));
        await host.call({ type: 'revert' });
        this.#log.warn({ from: a.from, to: a.to }, a.reason);
        return;
      case 'reloadChampion':
        void host.call({ type: 'setChampion', weights: this.#d.control.champion.weights }).catch((err) => this.#log.error({ err: describeError(err) }, 'fine-tune trainer could not take the new champion'));
        return;
      case 'reportShadow':
        this.#d.metrics.challengerError.set({ role: 'champion' }, a.champion);
        this.#d.metrics.challengerError.set({ role: 'challenger' }, a.challenger);
        return;
      case 'finished':
        return this.#finished(a.record);
      case 'kept':
        this.#log.info({ version: a.record.version, watch: a.record.watch }, `model ${a.record.version} kept after ${a.record.watch?.count} live pairs of watching`);
        return;
    }
  }

  #startScoring(): void {
    this.#acc = { count: 0, sums: {} };
    this.#feed.scoreFromNow();
  }

  #onDrift(series: string, r: number): void {
    this.#driftCount++;
    this.#d.metrics.driftEvents.inc();
    void this.#dispatch({ type: 'drift' });
    this.#log.info({ series, residual: Number(r.toFixed(3)), detections: this.#driftCount }, 'drift detected on forecast residuals (Page-Hinkley): an early fine-tune round is due');
  }

  async #train(trigger: RoundRecord['trigger']): Promise<void> {
    const f = this.#d.config.finetune;
    const steps = Math.max(1, Math.min(MAX_STEPS, f.steps));
    const data = this.#feed.roundData(this.#t.holdout, Math.min(this.#t.maxTrainPairs, steps * this.#t.batchSize), 2 * this.#t.batchSize);
    if (!data) return; // not enough live data yet
    await this.#dispatch({ type: 'roundStarted', now: Date.now(), trigger });
    const gen = this.#s.gen;
    const round = this.#s.round;
    let res: Extract<WorkerReply, { trained: unknown }>['trained'];
    try {
      res = await this.#host.train({ steps, learningRate: Math.min(MAX_LR, f.learningRate), batchSize: this.#t.batchSize, train: data.train, holdout: data.holdout, maxGradNorm: this.#t.maxGradNorm, seed: this.#t.seed + round });
    } catch (err) {
      if (this.#ac.signal.aborted) return;
      const diverged = (err as { code?: string }).code === ErrorCodes.TRAINING_DIVERGED;
      const paused = (err as { details?: { workerCode?: string } }).details?.workerCode === 'ABORTED';
      if (paused) this.#log.info({ round }, `fine-tune round ${round} stopped: ${(err as Error).message}`);
      else this.#log[diverged ? 'warn' : 'error']({ round, err: describeError(err) }, `fine-tune round ${round} aborted${diverged ? ': training diverged (NaN/Inf loss or exploding gradient); the champion is unchanged' : ''}`);
      return this.#dispatch({ type: 'trainFailed', gen, reason: describeError(err) });
    }
    if (gen !== this.#s.gen) return; // champion replaced meanwhile
    const tail = res.losses.slice(-10);
    const trainLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
    const m = this.#d.metrics;
    m.trainLoss.set(trainLoss);
    m.challengerError.set({ role: 'champion' }, res.holdout.champion.mae);
    m.challengerError.set({ role: 'challenger' }, res.holdout.challenger.mae);
    this.#challenger = res.weights;
    await this.#dispatch({ type: 'trained', gen, now: Date.now(), trainLoss, holdout: res.holdout, seconds: res.seconds });
  }

  async #score(roles: ModelRole[]): Promise<void> {
    const gen = this.#s.gen;
    // Score what is queued now, then decide: on a fast stream the queue refills faster than the
    // trainer scores, and waiting for it to drain would postpone the decision forever.
    let budget = this.#feed.queued;
    while (budget > 0 && this.#feed.queued > 0) {
      const chunk = this.#feed.take(Math.min(256, budget));
      budget -= chunk.length;
      const r = await this.#host.call<Extract<WorkerReply, { scores: unknown }>>({ type: 'score', pairs: toBatch(chunk), roles, dutyCycle: this.#t.dutyCycle });
      if (gen !== this.#s.gen) return;
      this.#acc.count += r.count;
      for (const role of roles) this.#acc.sums[role] = (this.#acc.sums[role] ?? 0) + (r.scores[role] ?? 0);
    }
    const n = this.#acc.count;
    const mae = Object.fromEntries(roles.map((role) => [role, (this.#acc.sums[role] ?? 0) / Math.max(1, n)]));
    await this.#dispatch({ type: 'scored', gen, now: Date.now(), pinned: this.#d.control.pinned, count: n, mae });
  }

  async #promote(rec: RoundRecord): Promise<void> {
    const weights = this.#challenger!;
    const previous = this.#d.control.champion.version;
    const gen = this.#s.gen;
    const f = this.#d.config.finetune;
    const meta = { source: 'finetune', round: rec.round, trigger: rec.trigger, trainedAt: rec.at, trainLoss: rec.trainLoss, holdout: rec.holdout, shadow: rec.shadow, steps: f.steps, learningRate: f.learningRate };
    const version = await this.#d.control.promote(weights, meta, this.#host.offload('challenger'));
    if (gen !== this.#s.gen) return;
    await this.#host.call({ type: 'promote' });
    this.#challenger = null;
    await this.#dispatch({ type: 'promoted', gen, version, previous });
  }

  #finished(rec: RoundRecord): void {
    this.#d.metrics.finetuneRounds.inc({ outcome: rec.outcome as 'promoted' | 'discarded' | 'aborted' | 'rolled_back' });
    this.#history.push(rec);
    if (this.#history.length > MAX_HISTORY) this.#history.shift();
    if (rec.outcome === 'discarded') this.#log.info({ round: rec.round, holdout: rec.holdout, shadow: rec.shadow }, `fine-tune round ${rec.round} discarded: ${rec.reason}`);
    if (rec.outcome === 'promoted') this.#log.info({ round: rec.round, version: rec.version, holdout: rec.holdout, shadow: rec.shadow }, `promoted fine-tuned model ${rec.version}`);
  }
}
