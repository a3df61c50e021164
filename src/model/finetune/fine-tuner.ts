/**
 * Online fine-tuning: the driver of the round policy (./round-policy.ts, where the states and
 * transitions are written down). It feeds events to the policy — loop steps, the trainer's
 * results, manual rollbacks — and carries out the actions the policy returns: train a challenger
 * (a copy of the champion) in the trainer, score it in shadow on live pairs, promote it, watch it,
 * roll it back. Nothing here runs a model on the serving thread: training and every score happen
 * in the trainer (a child process or worker thread, ./trainer-host.ts); the serving thread only
 * copies small arrays and, on promotion, builds the new engine and swaps it in atomically.
 * "Shadow" and "watching" are prequential: only pairs whose forecast origin (the window's last
 * tick) arrived after the challenger was created (or promoted) are scored, both models on the same
 * pairs, once the truth for the whole horizon is known. A forecast is a pure function of its
 * window, so scoring at truth time in the trainer equals forecasting at origin time (docs/finetuning.md).
 */
import type { Config } from '../../config/load.ts';
import { describeError } from '../../errors/index.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { TickLearner, TickObservation } from '../../pipeline/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { EngineOffload } from '../engine-builder.ts';
import type { ChampionControl } from '../promoter.ts';
import { LiveFeed } from './live-feed.ts';
import { initialRoundState, transition, type FineTuneState, type ManualChange, type RoundEvent, type RoundLimits, type RoundRecord, type RoundState } from './round-policy.ts';
import { RoundActions } from './round-actions.ts';
import { RoundReport } from './round-report.ts';
import { TrainerHost } from './trainer-host.ts';
import { resolveTuning, type FineTuneTuning, type Tuning } from './tuning.ts';

export type { EngineOffload, FineTuneState, FineTuneTuning, RoundRecord };

export interface FineTunerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  control: ChampionControl;
  tuning?: FineTuneTuning;
  /** False while another replica holds the fine-tune lease of a shared model dir (../shared-dir/): no rounds here. */
  leading?: () => boolean;
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
  readonly #actions: RoundActions;
  readonly #report: RoundReport;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | undefined;
  #starting: Promise<boolean> | undefined;

  constructor(deps: FineTunerDeps) {
    this.#d = deps;
    const c = deps.config, f = c.finetune;
    this.#t = resolveTuning(c, deps.tuning);
    this.#limits = { intervalMs: f.intervalMs, driftCooldownMs: this.#t.driftCooldownMs, shadowTimeoutMs: this.#t.shadowTimeoutMs, minSamples: f.minSamples, minImprovement: f.minImprovement, rollbackRegression: f.rollbackRegression, watchTimeoutMs: f.watchTimeoutMs };
    this.#log = deps.logger;
    this.#report = new RoundReport(deps.logger, deps.metrics);
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
    this.#actions = new RoundActions({ config: c, control: deps.control, tuning: this.#t, log: deps.logger, host: this.#host, feed: this.#feed, report: this.#report, signal: this.#ac.signal, state: () => this.#s, dispatch: (e) => this.#dispatch(e) });
  }

  get state(): FineTuneState { return this.#s.phase; }

  /** Rounds run so far, newest last (bounded). */
  get history(): readonly RoundRecord[] { return this.#report.history; }

  get bufferSize(): number { return this.#feed.buffer.size; }

  get driftCount(): number { return this.#report.driftCount; }

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
      driftDetections: this.#report.driftCount,
      current: this.#s.current ?? undefined,
      last: this.#report.history[this.#report.history.length - 1],
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

  /** True while any per-series state of this series is kept (tests of the series registry). */
  tracks(series: string): boolean {
    return this.#feed.tracks(series);
  }

  /** The serving model was replaced from outside (`manual`: an operator's change; else followed from model.dir, lease lost): restart from it. */
  championChanged(why: string, manual?: ManualChange): Promise<void> {
    if (!this.#host.running) return Promise.resolve(); // resolves once the round's record is written (the trainer reloads in the background)
    return this.#dispatch({ type: 'championReplaced', now: Date.now(), why, ...(manual ? { manual } : {}) });
  }

  /** This replica lost the fine-tune lease: the round in flight ends (recorded), the champion stays. */
  leaseLost(): Promise<void> {
    if (!this.#host.running) return Promise.resolve();
    return this.#dispatch({ type: 'leaseLost', now: Date.now() });
  }

  /** Pinned: a round in flight is aborted at its next step and none starts until unpinned. */
  pinChanged(pinned: boolean): void {
    this.#host.pause(pinned);
  }

  /** Ask for a round now (tests, operators). */
  requestRound(): void {
    void this.#dispatch({ type: 'requestRound' });
  }

  /**
   * Start the trainer and the loop. A replica that does not hold the fine-tune lease starts the
   * loop only: its trainer starts when it takes the lease and ends when it loses it (TrainerHost.lead).
   */
  async start(): Promise<void> {
    if (this.#s.phase !== 'starting') return;
    const following = this.#d.leading?.() === false;
    const ok = following || (await (this.#starting = this.#host.start()));
    if (this.#ac.signal.aborted) return; // stopped while the trainer started: stop() waited for it and ends it
    if (following) this.#log.info('fine-tune trainer not started: another replica holds the fine-tune lease; it starts when this replica takes the lease');
    await this.#dispatch(ok ? { type: 'trainerReady', now: Date.now() } : { type: 'trainerFailed' });
    if (ok) this.#loop = this.#run(this.#ac.signal);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#ac.abort();
      this.#host.pause(true); // a round in flight ends at its next step
      await this.#starting; // a trainer still starting is ended below, not left running after the stop
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
        if (!(await this.#host.lead(this.#d.leading?.() !== false))) continue; // another replica fine-tunes
        if (this.#host.dead) {
          await this.#dispatch({ type: 'trainerDied', reason: this.#host.dead.message });
          if (!(await this.#host.restart(signal))) break;
          await this.#dispatch({ type: 'trainerRestarted', now: Date.now() });
          continue;
        }
        await this.#dispatch({ type: 'step', now: Date.now(), pinned: this.#d.control.pinned });
      } catch (err) {
        if (signal.aborted) break;
        this.#log.error({ code: (err as { code?: unknown }).code, err: describeError(err) }, 'fine-tune loop error');
        await this.#dispatch({ type: 'failed', reason: describeError(err) });
      }
    }
  }

  /** Apply one event to the policy, then carry out its actions in order. */
  async #dispatch(e: RoundEvent): Promise<void> {
    const t = transition(this.#s, e, this.#limits);
    // A new generation voids the round in flight (champion replaced, lease lost): end it at its next step, not after all of them.
    if (t.state.gen !== this.#s.gen) this.#host.supersede(t.state.gen);
    this.#s = t.state;
    for (const a of t.actions) await this.#actions.perform(a);
  }

  #onDrift(series: string, r: number): void {
    this.#report.countDrift();
    void this.#dispatch({ type: 'drift' });
    this.#report.drift(series, r);
  }
}
