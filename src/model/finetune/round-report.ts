/**
 * What the fine-tuner tells operators about its rounds: logs, metrics and the bounded history of
 * finished rounds (GET /v1/model's fine-tune status). It decides nothing; the driver
 * (./fine-tuner.ts) calls it as it carries out the round policy's actions.
 */
import { ErrorCodes, describeError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { HoldoutScores } from './protocol.ts';
import type { RoundRecord } from './round-policy.ts';

const MAX_HISTORY = 50;

export class RoundReport {
  readonly #log: Logger;
  readonly #m: Metrics;
  readonly #history: RoundRecord[] = [];
  #driftCount = 0;

  constructor(log: Logger, metrics: Metrics) {
    this.#log = log;
    this.#m = metrics;
  }

  /** Rounds run so far, newest last (bounded). */
  get history(): readonly RoundRecord[] {
    return this.#history;
  }

  /** Drift detections so far. */
  get driftCount(): number {
    return this.#driftCount;
  }

  /** Count a drift detection (metric); returns the count. */
  countDrift(): number {
    this.#m.driftEvents.inc();
    return ++this.#driftCount;
  }

  drift(series: string, residual: number): void {
    this.#log.info({ series, residual: Number(residual.toFixed(3)), detections: this.#driftCount }, 'drift detected on forecast residuals (Page-Hinkley): an early fine-tune round is due');
  }

  /** A round's training failed: stopped (paused), diverged (the champion is unchanged) or another error. */
  trainFailed(round: number, err: unknown): void {
    const log = this.#log;
    const diverged = (err as { code?: string }).code === ErrorCodes.TRAINING_DIVERGED;
    const paused = (err as { details?: { workerCode?: string } }).details?.workerCode === 'ABORTED';
    if (paused) log.info({ round }, `fine-tune round ${round} stopped: ${(err as Error).message}`);
    else log[diverged ? 'warn' : 'error']({ round, err: describeError(err) }, `fine-tune round ${round} aborted${diverged ? ': training diverged (NaN/Inf loss or exploding gradient); the champion is unchanged' : ''}`);
  }

  /** The training metrics of a trained round. */
  trained(trainLoss: number, holdout: HoldoutScores): void {
    this.#m.trainLoss.set(trainLoss);
    this.#m.challengerError.set({ role: 'champion' }, holdout.champion.mae);
    this.#m.challengerError.set({ role: 'challenger' }, holdout.challenger.mae);
  }

  enteredShadow(rec: RoundRecord): void {
    this.#log.info({ round: rec.round, holdout: rec.holdout, seconds: Number((rec.seconds ?? 0).toFixed(2)) }, `fine-tune round ${rec.round}: challenger passed the hold-out gate; scoring it in shadow on live ticks`);
  }

  /** Shadow (or watching) errors of both models on the same live pairs. */
  shadow(champion: number, challenger: number): void {
    this.#m.challengerError.set({ role: 'champion' }, champion);
    this.#m.challengerError.set({ role: 'challenger' }, challenger);
  }

  /** A promoted model survived its watch (recorded as a rolled-back one is: history, metric). */
  kept(rec: RoundRecord): void {
    this.#record(rec);
    this.#log.info({ round: rec.round, version: rec.version, watch: rec.watch }, `model ${rec.version} kept after ${rec.watch?.count ?? 0} live pairs of watching${rec.reason ? `: ${rec.reason}` : ''}`);
  }

  finished(rec: RoundRecord): void {
    this.#record(rec);
    if (rec.outcome === 'discarded') this.#log.info({ round: rec.round, holdout: rec.holdout, shadow: rec.shadow }, `fine-tune round ${rec.round} discarded: ${rec.reason}`);
    if (rec.outcome === 'promoted') this.#log.info({ round: rec.round, version: rec.version, holdout: rec.holdout, shadow: rec.shadow }, `promoted fine-tuned model ${rec.version}`);
  }

  #record(rec: RoundRecord): void {
    this.#m.finetuneRounds.inc({ outcome: rec.outcome });
    this.#history.push(rec);
    if (this.#history.length > MAX_HISTORY) this.#history.shift();
  }
}
