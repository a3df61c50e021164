/**
 * Online fine-tuning: the loop that turns live ticks into training pairs, trains a challenger
 * (a copy of the champion) in the worker thread, gates it, promotes it, watches it, and rolls it
 * back when it regresses. Nothing here runs a model on the serving thread: training and every
 * score happen in the worker; the serving thread only copies small arrays and, on promotion,
 * builds the new engine (./model-service.ts) and swaps it in atomically.
 *
 * States (one round at a time):
 *   idle ──(interval elapsed or drift)──▶ training ──(hold-out gate passed)──▶ shadow
 *   shadow ──(≥ minSamples live pairs, challenger better by minImprovement)──▶ promote ▶ watching
 *   shadow ──(not better, or too few pairs before the deadline)──▶ discard ▶ idle
 *   watching ──(live MAE > previous × (1 + rollbackRegression))──▶ rollback ▶ idle
 *   watching ──(3 × minSamples pairs without regression)──▶ idle
 * training failures (NaN/Inf loss, exploding gradients) abort the round ▶ idle.
 *
 * "Shadow" and "watching" are prequential: only pairs whose forecast origin (the window's last
 * tick) arrived after the challenger was created (or promoted) are scored, both models on the same
 * pairs, once the truth for the whole horizon is known. A forecast is a pure function of its
 * window, so scoring at truth time in the worker equals forecasting at origin time.
 * See docs/finetuning.md.
 */
import type { Config } from '../../config/load.ts';
import { ErrorCodes, describeError } from '../../errors/index.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { LiveEvent, Predictor } from '../../pipeline/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { ModelArtifact } from '../checkpoints.ts';
import { mulberry32 } from '../random.ts';
import type { WeightMap } from '../weight-names.ts';
import { PageHinkley, type PageHinkleyOptions } from './drift.ts';
import { LivePairs, type Pair } from './live-pairs.ts';
import type { HoldoutScores, ModelRole, WorkerReply } from './protocol.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import type { TrainBatch } from './trainer.ts';
import { WorkerClient, WorkerRefereePredictor, type TrainerIsolation } from './worker-client.ts';

export type FineTuneState = 'disabled' | 'starting' | 'idle' | 'training' | 'shadow' | 'watching' | 'stopped';

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
  /** Most training pairs sent to the worker per round (4096). */
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

/**
 * Work on a new serving engine that the trainer does instead of the serving thread: the ONNX
 * export of one of its models, and the tfjs side of the parity check (see WorkerRefereePredictor).
 */
export interface EngineOffload {
  referee: (version: string) => Predictor;
  exportOnnx: (version: string) => Promise<Uint8Array>;
}

export interface FineTunerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The serving version (its weights are never mutated). */
  champion: () => ModelArtifact & { version: string };
  isPinned: () => boolean;
  /**
   * Save and serve new weights as the next version; resolves to its label. `offload` exports the
   * ONNX graph and referees its parity check in the trainer, off the serving thread.
   */
  promote: (weights: WeightMap, meta: Record<string, unknown>, offload: EngineOffload) => Promise<string>;
  /** Serve an earlier version again (`offload` as for promote). */
  rollbackTo: (version: string, reason: string, offload?: EngineOffload) => Promise<void>;
  tuning?: FineTuneTuning;
}

interface Acc {
  count: number;
  sums: Partial<Record<ModelRole, number>>;
}

export interface RoundRecord {
  round: number;
  at: string;
  trigger: 'interval' | 'drift' | 'manual';
  outcome: 'promoted' | 'discarded' | 'aborted' | 'rolled_back' | 'kept' | 'pending';
  reason?: string;
  trainLoss?: number;
  holdout?: HoldoutScores;
  shadow?: { count: number; champion: number; challenger: number };
  watch?: { count: number; champion: number; previous: number };
  version?: string;
  seconds?: number;
}

const MAX_STEPS = 1_000;
/** V8 heap limit of a trainer process (its tensors live in wasm memory, outside this heap). */
const TRAINER_HEAP_MB = 512;
const MAX_LR = 0.01;

export class FineTuner {
  readonly #d: FineTunerDeps;
  readonly #t: Required<Omit<FineTuneTuning, 'drift'>> & { drift: PageHinkleyOptions };
  readonly #log: Logger;
  readonly #pairs: LivePairs;
  readonly #buffer: ReplayBuffer;
  readonly #drift: PageHinkley;
  readonly #ac = new AbortController();
  readonly #forecasts = new Map<string, { ts: number; p50: number }[]>();
  readonly #queue: Pair[] = [];
  #worker: WorkerClient | null = null;
  #loop: Promise<void> | null = null;
  #state: FineTuneState = 'starting';
  #gen = 0;
  #round = 0;
  #nextRoundAt = 0;
  #lastDriftRound = 0;
  #driftPending = false;
  #driftCount = 0;
  #birthSeq = 0;
  #deadline = 0;
  #acc: Acc = { count: 0, sums: {} };
  #challenger: { weights: WeightMap; record: RoundRecord } | null = null;
  #previousVersion: string | null = null;
  #current: RoundRecord | null = null;
  readonly #history: RoundRecord[] = [];
  #stopping: Promise<void> | undefined;
  #trainerNice: number | null | undefined;

  constructor(deps: FineTunerDeps) {
    this.#d = deps;
    const c = deps.config;
    const t = deps.tuning ?? {};
    const interval = c.finetune.intervalMs;
    this.#t = {
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
    this.#log = deps.logger;
    const spec = deps.champion().spec;
    this.#pairs = new LivePairs({ window: spec.window, horizon: spec.horizon, normHalfLifeTicks: c.windows.normHalfLifeTicks, maxSeries: c.windows.maxSeries });
    this.#buffer = new ReplayBuffer(c.finetune.replayCapacity, mulberry32(this.#t.seed));
    this.#drift = new PageHinkley(this.#t.drift);
    if (spec.features.length !== 1 || spec.targets.length !== 1) {
      this.#state = 'disabled';
      this.#log.warn({ features: spec.features }, 'online fine-tuning needs a univariate model (ticks events carry one value); disabled');
    }
  }

  get state(): FineTuneState {
    return this.#state;
  }

  /** Rounds run so far, newest last (bounded). */
  get history(): readonly RoundRecord[] {
    return this.#history;
  }

  get bufferSize(): number {
    return this.#buffer.size;
  }

  /** Detections so far. */
  get driftCount(): number {
    return this.#driftCount;
  }

  /** Resolves when the worker thread has ended (after stop()); null if it never started. */
  get workerExited(): Promise<number> | null {
    return this.#worker?.exited ?? null;
  }

  /** Tensors alive in the worker (for leak checks). */
  async workerTensors(): Promise<number> {
    const r = await this.#worker!.call<WorkerReply & { ok: true; numTensors: number }>({ type: 'memory' });
    return r.numTensors;
  }

  status(): Record<string, unknown> {
    return {
      state: this.#state,
      trainer: { isolation: this.#t.isolation, ...(this.#worker?.pid !== undefined ? { pid: this.#worker.pid } : {}), ...(this.#trainerNice !== undefined ? { nice: this.#trainerNice } : {}) },
      replayBufferSize: this.#buffer.size,
      rounds: this.#round,
      driftDetections: this.#driftCount,
      current: this.#current ?? undefined,
      last: this.#history[this.#history.length - 1],
    };
  }

  observe(e: LiveEvent): void {
    if (this.#state === 'disabled' || this.#state === 'stopped') return;
    if (e.type === 'forecast') {
      if (e.model.startsWith('baseline:')) return; // a cold series' baseline (src/domain/cold-start.ts), not the model's
      const steps = e.horizon.map((s) => ({ ts: s.ts, p50: s['p50'] })).filter((s) => Number.isFinite(s.p50));
      this.#forecasts.delete(e.series);
      this.#forecasts.set(e.series, steps);
      if (this.#forecasts.size > this.#d.config.windows.maxSeries) this.#forecasts.delete(this.#forecasts.keys().next().value as string);
      return;
    }
    if (e.type !== 'tick') return;
    this.#residual(e.series, e.ts, e.value);
    const p = this.#pairs.push(e.series, e.value);
    if (!p) return;
    this.#buffer.add(p);
    this.#d.metrics.replayBufferSize.set(this.#buffer.size);
    if ((this.#state === 'shadow' || this.#state === 'watching') && p.originSeq >= this.#birthSeq) {
      this.#queue.push(p);
      if (this.#queue.length > 8 * this.#d.config.finetune.minSamples) this.#queue.shift();
    }
  }

  /** Drop what is kept of a series (training pairs in the making, its last forecast): the series registry evicted it. */
  forget(series: string): void {
    this.#pairs.forget(series);
    this.#forecasts.delete(series);
  }

  /** True while any per-series state of this series is kept (tests). */
  tracks(series: string): boolean {
    return this.#pairs.has(series) || this.#forecasts.has(series);
  }

  /** Drift detection on the served model's residual for the step that forecast this tick. */
  #residual(series: string, ts: number, value: number): void {
    const steps = this.#forecasts.get(series);
    const st = this.#pairs.stats(series);
    if (!steps || steps.length === 0 || !st) return;
    const gap = steps.length > 1 ? Math.abs(steps[1].ts - steps[0].ts) / 2 : Infinity;
    let best = -1;
    for (let i = 0; i < steps.length; i++) if (best < 0 || Math.abs(steps[i].ts - ts) < Math.abs(steps[best].ts - ts)) best = i;
    if (best < 0 || Math.abs(steps[best].ts - ts) > gap) return;
    const r = Math.abs(value - steps[best].p50) / st.std;
    steps.splice(0, best + 1);
    if (this.#drift.update(r)) {
      this.#driftCount++;
      this.#d.metrics.driftEvents.inc();
      this.#driftPending = true;
      this.#log.info({ series, residual: Number(r.toFixed(3)), detections: this.#driftCount }, 'drift detected on forecast residuals (Page-Hinkley): an early fine-tune round is due');
    }
  }

  /** The serving model was replaced from outside (manual rollback): restart from it. */
  championChanged(why: string): void {
    if (this.#state === 'disabled' || this.#state === 'stopped' || !this.#worker) return;
    this.#gen++;
    this.#challenger = null;
    this.#queue.length = 0;
    if (this.#state === 'shadow' || this.#state === 'training') this.#finish('discarded', `champion replaced (${why})`);
    this.#current = null;
    this.#state = 'idle';
    this.#previousVersion = null;
    this.#nextRoundAt = Date.now() + this.#d.config.finetune.intervalMs;
    void this.#worker.call({ type: 'setChampion', weights: this.#d.champion().weights }).catch((err) => this.#log.error({ err: describeError(err) }, 'fine-tune worker could not take the new champion'));
  }

  /** Pinned: a round in flight is aborted at its next step and none starts until unpinned. */
  pinChanged(pinned: boolean): void {
    this.#worker?.abortTraining(pinned);
  }

  /** Ask for a round now (tests, operators). */
  requestRound(): void {
    this.#nextRoundAt = 0;
  }

  /** Start a trainer holding the current champion. Throws if it fails to start (it is then ended). */
  async #spawnTrainer(): Promise<WorkerClient> {
    // The trainer's own heap limit: it would otherwise inherit the service's --max-old-space-size
    // from NODE_OPTIONS (60 % of the container limit in the image), and two such heaps do not fit.
    const w = new WorkerClient({ isolation: this.#t.isolation, maxOldSpaceMb: TRAINER_HEAP_MB });
    try {
      const ch = this.#d.champion();
      const r = await w.call<WorkerReply & { ok: true; backend?: string; nice?: number | null }>({ type: 'init', backend: this.#d.config.model.backend, config: ch.config, spec: ch.spec, weights: ch.weights, nice: this.#t.niceness });
      this.#trainerNice = r.nice;
      this.#log.info({ isolation: w.isolation, pid: w.pid, backend: r.backend, nice: r.nice, dutyCycle: this.#t.dutyCycle, intervalMs: this.#d.config.finetune.intervalMs, steps: this.#d.config.finetune.steps }, `fine-tune trainer ready (${w.isolation})`);
      return w;
    } catch (err) {
      await w.close(1000);
      throw err;
    }
  }

  async start(): Promise<void> {
    if (this.#state !== 'starting') return;
    try {
      this.#worker = await this.#spawnTrainer();
    } catch (err) {
      this.#state = 'disabled';
      this.#log.error({ err: describeError(err) }, 'fine-tune trainer failed to start; serving continues without online fine-tuning');
      return;
    }
    this.#state = 'idle';
    this.#nextRoundAt = Date.now() + this.#d.config.finetune.intervalMs;
    this.#loop = this.#run(this.#ac.signal);
  }

  /**
   * The trainer died (crash, OOM kill): forget the round and any challenger (they lived in it),
   * then start a new one with the current champion, backing off 1 s, 2 s, … up to 5 min while it
   * keeps failing. Serving never depended on it. Returns false when stopping.
   */
  async #restartTrainer(signal: AbortSignal): Promise<boolean> {
    const dead = this.#worker!;
    this.#log.error({ err: describeError(dead.dead), pid: dead.pid }, 'fine-tune trainer died; restarting it (serving is unaffected)');
    if (this.#state === 'training' || this.#state === 'shadow') this.#finish('aborted', `trainer died: ${dead.dead?.message}`);
    this.#gen++;
    this.#state = 'idle';
    this.#challenger = null;
    this.#previousVersion = null; // the previous champion lived in the dead trainer: no automatic rollback to it
    this.#current = null;
    this.#queue.length = 0;
    await dead.close(1000);
    for (let delay = 1_000; ; delay = Math.min(2 * delay, 300_000)) {
      if (await sleep(delay, signal)) return false;
      try {
        this.#worker = await this.#spawnTrainer();
        this.#d.metrics.trainerRestarts.inc();
        if (this.#d.isPinned()) this.#worker.abortTraining(true);
        this.#nextRoundAt = Date.now() + this.#d.config.finetune.intervalMs;
        return true;
      } catch (err) {
        this.#log.error({ err: describeError(err), retryInMs: Math.min(2 * delay, 300_000) }, 'fine-tune trainer failed to restart');
      }
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#ac.abort();
      this.#worker?.abortTraining(true); // a round in flight ends at its next step
      await this.#loop?.catch(() => undefined);
      if (this.#state !== 'disabled') this.#state = 'stopped';
      await this.#worker?.close();
    })();
    return this.#stopping;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await sleep(this.#t.tickMs, signal)) break;
      if (this.#worker!.dead && !(await this.#restartTrainer(signal))) break;
      try {
        await this.#step();
      } catch (err) {
        if (signal.aborted) break;
        this.#log.error({ err: describeError(err) }, 'fine-tune loop error');
        this.#state = 'idle';
        this.#challenger = null;
      }
    }
  }

  async #step(): Promise<void> {
    const now = Date.now();
    if (this.#d.isPinned()) {
      this.#worker!.abortTraining(true);
      if (this.#state === 'shadow' || this.#state === 'watching') {
        if (this.#state === 'shadow') {
          this.#finish('discarded', 'model pinned');
          await this.#worker!.call({ type: 'discard' });
        }
        this.#state = 'idle';
        this.#queue.length = 0;
      }
      return;
    }
    this.#worker!.abortTraining(false);
    if (this.#state === 'idle') {
      const drift = this.#driftPending && now - this.#lastDriftRound >= this.#t.driftCooldownMs;
      if (now >= this.#nextRoundAt || drift) {
        this.#driftPending = false;
        if (drift) this.#lastDriftRound = now;
        await this.#train(drift && now < this.#nextRoundAt ? 'drift' : 'interval');
      }
      return;
    }
    if (this.#state === 'shadow' || this.#state === 'watching') await this.#score();
  }

  #batch(pairs: Pair[]): TrainBatch {
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

  async #train(trigger: RoundRecord['trigger']): Promise<void> {
    const f = this.#d.config.finetune;
    this.#nextRoundAt = Date.now() + f.intervalMs;
    const hold = this.#buffer.recent(this.#t.holdout);
    if (hold.length < this.#t.holdout) return; // not enough live data yet
    const holdStart = hold.reduce((m, p) => Math.min(m, p.originSeq), Infinity);
    if (this.#buffer.countBefore(holdStart) < 2 * this.#t.batchSize) return;
    const steps = Math.max(1, Math.min(MAX_STEPS, f.steps));
    const lr = Math.min(MAX_LR, f.learningRate);
    const train = this.#buffer.sample(Math.min(this.#t.maxTrainPairs, steps * this.#t.batchSize), holdStart);
    const gen = this.#gen;
    this.#round++;
    const rec: RoundRecord = { round: this.#round, at: new Date().toISOString(), trigger, outcome: 'pending' };
    this.#current = rec;
    this.#state = 'training';
    let res: Extract<WorkerReply, { trained: unknown }>['trained'];
    try {
      const r = await this.#worker!.call<Extract<WorkerReply, { trained: unknown }>>({
        type: 'train',
        steps,
        learningRate: lr,
        batchSize: this.#t.batchSize,
        train: this.#batch(train),
        holdout: this.#batch(hold),
        maxGradNorm: this.#t.maxGradNorm,
        seed: this.#t.seed + this.#round,
        dutyCycle: this.#t.dutyCycle,
      });
      res = r.trained;
    } catch (err) {
      if (this.#ac.signal.aborted) return;
      const diverged = (err as { code?: string }).code === ErrorCodes.TRAINING_DIVERGED;
      const paused = (err as { details?: { workerCode?: string } }).details?.workerCode === 'ABORTED';
      this.#state = 'idle';
      this.#finish('aborted', describeError(err));
      if (paused) this.#log.info({ round: rec.round }, `fine-tune round ${rec.round} stopped: ${(err as Error).message}`);
      else this.#log[diverged ? 'warn' : 'error']({ round: rec.round, err: describeError(err) }, `fine-tune round ${rec.round} aborted${diverged ? ': training diverged (NaN/Inf loss or exploding gradient); the champion is unchanged' : ''}`);
      return;
    }
    if (gen !== this.#gen) return; // champion replaced meanwhile
    const tail = res.losses.slice(-10);
    rec.trainLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
    rec.holdout = res.holdout;
    rec.seconds = res.seconds;
    const m = this.#d.metrics;
    m.trainLoss.set(rec.trainLoss);
    m.challengerError.set({ role: 'champion' }, res.holdout.champion.mae);
    m.challengerError.set({ role: 'challenger' }, res.holdout.challenger.mae);
    const { champion: a, challenger: b } = res.holdout;
    if (!(b.mae <= a.mae * (1 - f.minImprovement))) {
      this.#state = 'idle';
      await this.#worker!.call({ type: 'discard' });
      this.#finish('discarded', `hold-out MAE ${b.mae.toFixed(4)} not ${(f.minImprovement * 100).toFixed(1)}% below the champion's ${a.mae.toFixed(4)}`);
      return;
    }
    this.#challenger = { weights: res.weights, record: rec };
    this.#birthSeq = this.#pairs.seq;
    this.#acc = { count: 0, sums: {} };
    this.#queue.length = 0;
    this.#deadline = Date.now() + this.#t.shadowTimeoutMs;
    this.#state = 'shadow';
    this.#log.info({ round: rec.round, holdout: res.holdout, seconds: Number(res.seconds.toFixed(2)) }, `fine-tune round ${rec.round}: challenger passed the hold-out gate; scoring it in shadow on live ticks`);
  }

  async #score(): Promise<void> {
    const roles: ModelRole[] = this.#state === 'shadow' ? ['champion', 'challenger'] : ['champion', 'previous'];
    const gen = this.#gen;
    // Score what is queued now, then decide: on a fast stream the queue refills faster than the
    // worker scores, and waiting for it to drain would postpone the decision forever.
    let budget = this.#queue.length;
    while (budget > 0 && this.#queue.length > 0) {
      const chunk = this.#queue.splice(0, Math.min(256, budget));
      budget -= chunk.length;
      const r = await this.#worker!.call<Extract<WorkerReply, { scores: unknown }>>({ type: 'score', pairs: this.#batch(chunk), roles, dutyCycle: this.#t.dutyCycle });
      if (gen !== this.#gen) return;
      this.#acc.count += r.count;
      for (const role of roles) this.#acc.sums[role] = (this.#acc.sums[role] ?? 0) + (r.scores[role] ?? 0);
    }
    const f = this.#d.config.finetune;
    const n = this.#acc.count;
    const mae = (role: ModelRole) => (this.#acc.sums[role] ?? 0) / Math.max(1, n);
    if (this.#state === 'shadow') {
      const rec = this.#challenger!.record;
      rec.shadow = { count: n, champion: mae('champion'), challenger: mae('challenger') };
      if (n >= f.minSamples) {
        this.#d.metrics.challengerError.set({ role: 'champion' }, mae('champion'));
        this.#d.metrics.challengerError.set({ role: 'challenger' }, mae('challenger'));
        if (this.#d.isPinned()) return; // pinned while scoring: the next step discards
        if (mae('challenger') <= mae('champion') * (1 - f.minImprovement)) await this.#promote();
        else {
          this.#state = 'idle';
          this.#challenger = null;
          await this.#worker!.call({ type: 'discard' });
          this.#finish('discarded', `live (shadow) MAE ${mae('challenger').toFixed(4)} over ${n} pairs not ${(f.minImprovement * 100).toFixed(1)}% below the champion's ${mae('champion').toFixed(4)}`);
        }
      } else if (Date.now() > this.#deadline) {
        this.#state = 'idle';
        this.#challenger = null;
        await this.#worker!.call({ type: 'discard' });
        this.#finish('discarded', `only ${n} live pairs within the shadow deadline (need ${f.minSamples})`);
      }
      return;
    }
    // watching
    const rec = this.#current!;
    rec.watch = { count: n, champion: mae('champion'), previous: mae('previous') };
    if (n >= f.minSamples && mae('champion') > mae('previous') * (1 + f.rollbackRegression)) {
      const prev = this.#previousVersion!;
      const reason = `automatic rollback: live MAE ${mae('champion').toFixed(4)} of ${this.#d.champion().version} is more than ${(f.rollbackRegression * 100).toFixed(0)}% above ${prev}'s ${mae('previous').toFixed(4)} over ${n} pairs`;
      this.#gen++;
      await this.#d.rollbackTo(prev, reason, this.#offload('previous'));
      await this.#worker!.call({ type: 'revert' });
      this.#state = 'idle';
      this.#previousVersion = null;
      this.#queue.length = 0;
      this.#finish('rolled_back', reason);
      this.#log.warn({ from: rec.version, to: prev }, reason);
    } else if (n >= 3 * f.minSamples) {
      this.#state = 'idle';
      this.#queue.length = 0;
      rec.outcome = 'kept';
      this.#current = null;
      this.#log.info({ version: rec.version, watch: rec.watch }, `model ${rec.version} kept after ${n} live pairs of watching`);
    }
  }

  async #promote(): Promise<void> {
    const ch = this.#challenger!;
    const rec = ch.record;
    const prev = this.#d.champion().version;
    const gen = this.#gen;
    const version = await this.#d.promote(
      ch.weights,
      {
      source: 'finetune',
      round: rec.round,
      trigger: rec.trigger,
      trainedAt: rec.at,
      trainLoss: rec.trainLoss,
      holdout: rec.holdout,
      shadow: rec.shadow,
      steps: this.#d.config.finetune.steps,
      learningRate: this.#d.config.finetune.learningRate,
      },
      this.#offload('challenger'),
    );
    if (gen !== this.#gen) return;
    await this.#worker!.call({ type: 'promote' });
    this.#challenger = null;
    this.#previousVersion = prev;
    rec.version = version;
    this.#d.metrics.finetuneRounds.inc({ outcome: 'promoted' });
    this.#log.info({ round: rec.round, version, previous: prev, holdout: rec.holdout, shadow: rec.shadow }, `promoted fine-tuned model ${version} over ${prev}`);
    this.#history.push({ ...rec, outcome: 'promoted' });
    if (this.#history.length > 50) this.#history.shift();
    rec.outcome = 'pending';
    this.#birthSeq = this.#pairs.seq;
    this.#acc = { count: 0, sums: {} };
    this.#queue.length = 0;
    this.#state = 'watching';
  }

  #offload(role: 'challenger' | 'previous'): EngineOffload {
    const worker = this.#worker!;
    const spec = this.#d.champion().spec;
    return {
      referee: (version) => new WorkerRefereePredictor(worker, role, spec, version),
      exportOnnx: async (version) => (await worker.call<Extract<WorkerReply, { onnx: unknown }>>({ type: 'export', role, version })).onnx,
    };
  }

  #finish(outcome: 'discarded' | 'aborted' | 'rolled_back', reason: string): void {
    const rec = this.#current;
    if (!rec) return;
    rec.outcome = outcome;
    rec.reason = reason;
    this.#d.metrics.finetuneRounds.inc({ outcome });
    if (outcome !== 'rolled_back') {
      this.#history.push({ ...rec });
      if (this.#history.length > 50) this.#history.shift();
      if (outcome === 'discarded') this.#log.info({ round: rec.round, holdout: rec.holdout, shadow: rec.shadow }, `fine-tune round ${rec.round} discarded: ${reason}`);
    } else {
      this.#history.push({ ...rec });
    }
    this.#current = null;
  }
}
