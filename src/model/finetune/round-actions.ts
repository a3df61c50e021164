/**
 * What the fine-tuner (fine-tuner.ts) does for each action of the round policy (round-policy.ts):
 * train a challenger in the trainer, score models in shadow or while watching, promote, roll back,
 * report. It holds the challenger's weights between training and promotion; the round state and the
 * dispatch of events stay with the fine-tuner, which this file reads through `RoundContext`.
 * Split from fine-tuner.ts on 7 Dec 2026 (it was at 298 of its 300 lines).
 */
import type { Config } from '../../config/load.ts';
import { describeError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { ChampionControl } from '../promoter.ts';
import type { WeightMap } from '../weight-names.ts';
import { autoRollback } from './auto-rollback.ts';
import type { LiveFeed } from './live-feed.ts';
import type { ModelRole, WorkerReply } from './protocol.ts';
import type { RoundAction, RoundEvent, RoundRecord, RoundState } from './round-policy.ts';
import type { RoundReport } from './round-report.ts';
import type { TrainerHost, TrainResult } from './trainer-host.ts';
import type { TrainBatch } from './trainer.ts';
import { roundLearningRate, roundSteps, type Tuning } from './tuning.ts';

/** What the actions use of the fine-tuner: its parts, its round state now, and its dispatch (which may perform further actions). */
export interface RoundContext {
  readonly config: Config;
  readonly control: ChampionControl;
  readonly tuning: Tuning;
  readonly log: Logger;
  readonly host: TrainerHost;
  readonly feed: LiveFeed;
  readonly report: RoundReport;
  /** Aborted when the fine-tuner stops. */
  readonly signal: AbortSignal;
  state(): RoundState;
  dispatch(e: RoundEvent): Promise<void>;
}

export class RoundActions {
  readonly #c: RoundContext;
  #challenger: WeightMap | null = null;

  constructor(context: RoundContext) {
    this.#c = context;
  }

  /** Carry out one action of the round policy (in the order the policy returned them). */
  async perform(a: RoundAction): Promise<void> {
    const host = this.#c.host;
    switch (a.type) {
      case 'pauseTrainer':
        return host.pause(a.paused);
      case 'startRound':
        return this.#train(a.trigger);
      case 'score':
        return this.#score(a.roles);
      case 'enterShadow':
        this.#c.feed.scoreFromNow();
        return this.#c.report.enteredShadow(a.record);
      case 'resetScoring':
        return this.#c.feed.scoreFromNow();
      case 'clearQueue':
        return this.#c.feed.clearQueue();
      case 'discardChallenger':
        this.#challenger = null;
        if (a.inTrainer) await host.call({ type: 'discard' }).catch(() => undefined); // a dead trainer took it along (restarted next tick)
        return;
      case 'releasePrevious': // the watch is over: nothing rolls back to it (a dead trainer took it along)
        return void (await host.call({ type: 'discard', role: 'previous' }).catch(() => undefined));
      case 'promote':
        return this.#promote(a.record);
      case 'rollback': {
        const refused = await autoRollback(this.#c.control, host, a, this.#c.log);
        return this.#c.dispatch(refused === null ? { type: 'rolledBack' } : { type: 'rolledBackRefused', reason: refused });
      }
      case 'reloadChampion': // (not logged when the trainer was closed meanwhile: the lease was lost)
        void host.call({ type: 'setChampion', weights: this.#c.control.champion.weights }).catch((err) => host.running && this.#c.log.error({ err: describeError(err) }, 'fine-tune trainer could not take the new champion'));
        return;
      case 'reportShadow':
        return this.#c.report.shadow(a.champion, a.challenger);
      case 'finished':
        return this.#c.report.finished(a.record);
      case 'kept':
        return this.#c.report.kept(a.record);
    }
  }

  async #train(trigger: RoundRecord['trigger']): Promise<void> {
    const f = this.#c.config.finetune, t = this.#c.tuning;
    const steps = roundSteps(f.steps);
    const data = this.#c.feed.roundData(t.holdout, Math.min(t.maxTrainPairs, steps * t.batchSize), 2 * t.batchSize);
    if (!data) return; // not enough live data yet
    await this.#c.dispatch({ type: 'roundStarted', now: Date.now(), trigger });
    const { gen, round } = this.#c.state();
    let res: TrainResult;
    try {
      res = await this.#c.host.train({ gen, steps, learningRate: roundLearningRate(f.learningRate), batchSize: t.batchSize, train: data.train, holdout: data.holdout, maxGradNorm: t.maxGradNorm, seed: t.seed + round });
    } catch (err) {
      if (this.#c.signal.aborted || gen !== this.#c.state().gen) return; // stopping, or superseded: the round is recorded already
      this.#c.report.trainFailed(round, err);
      return this.#c.dispatch({ type: 'trainFailed', gen, reason: describeError(err) });
    }
    if (gen !== this.#c.state().gen) return; // champion replaced meanwhile
    const trainLoss = res.losses.slice(-10).reduce((a, b, _, tail) => a + b / tail.length, 0);
    this.#c.report.trained(trainLoss, res.holdout);
    this.#challenger = res.weights;
    await this.#c.dispatch({ type: 'trained', gen, now: Date.now(), trainLoss, holdout: res.holdout, seconds: res.seconds });
  }

  async #score(roles: ModelRole[]): Promise<void> {
    const gen = this.#c.state().gen;
    const call = (pairs: TrainBatch) => this.#c.host.call<Extract<WorkerReply, { scores: unknown }>>({ type: 'score', pairs, roles, dutyCycle: this.#c.tuning.dutyCycle });
    const r = await this.#c.feed.score(roles, call, () => gen === this.#c.state().gen);
    if (r) await this.#c.dispatch({ type: 'scored', gen, now: Date.now(), pinned: this.#c.control.pinned, ...r });
  }

  async #promote(rec: RoundRecord): Promise<void> {
    const weights = this.#challenger!;
    const previous = this.#c.control.champion.version;
    const gen = this.#c.state().gen;
    const { steps, learningRate } = this.#c.config.finetune, meta = { source: 'finetune', round: rec.round, trigger: rec.trigger, trainedAt: rec.at, trainLoss: rec.trainLoss, holdout: rec.holdout, shadow: rec.shadow, steps, learningRate };
    const version = await this.#c.control.promote(weights, meta, this.#c.host.offload('challenger'));
    if (gen !== this.#c.state().gen) return;
    // Recorded as promoted before the trainer answers: it serves now, even if the trainer dies meanwhile (the watch's scores queue behind this request).
    const swapped = this.#c.host.call({ type: 'promote' });
    swapped.catch(() => undefined); // awaited below
    this.#challenger = null;
    await this.#c.dispatch({ type: 'promoted', gen, now: Date.now(), version, previous });
    await swapped;
  }
}
