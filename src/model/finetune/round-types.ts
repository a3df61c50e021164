/**
 * The round policy's vocabulary (./round-policy.ts): its state, the events it reads and the actions
 * it returns. Kept apart so
 * the policy file holds the transitions only.
 */
import type { HoldoutScores, ModelRole } from './protocol.ts';

export type FineTuneState = 'disabled' | 'starting' | 'idle' | 'training' | 'shadow' | 'watching' | 'stopped';

export type RoundTrigger = 'interval' | 'drift' | 'manual';

export interface RoundRecord {
  round: number;
  at: string;
  trigger: RoundTrigger;
  outcome: 'promoted' | 'discarded' | 'aborted' | 'rolled_back' | 'kept' | 'replaced' | 'pending';
  reason?: string;
  /** The replica whose operator ended the watch (a manual change made there, followed here through model.dir). */
  by?: string;
  trainLoss?: number;
  holdout?: HoldoutScores;
  shadow?: { count: number; champion: number; challenger: number };
  watch?: { count: number; champion: number; previous: number };
  version?: string;
  seconds?: number;
}

export interface RoundLimits {
  intervalMs: number;
  driftCooldownMs: number;
  shadowTimeoutMs: number;
  minSamples: number;
  minImprovement: number;
  rollbackRegression: number;
  /** A watch that has not decided within this long ends, keeping the new model (finetune.watchTimeoutMs). */
  watchTimeoutMs: number;
}

export interface RoundState {
  readonly phase: FineTuneState;
  readonly gen: number;
  /** Rounds started so far. */
  readonly round: number;
  readonly nextRoundAt: number;
  readonly lastDriftRound: number;
  readonly driftPending: boolean;
  /** Shadow gives up (watching: ends, keeping the model) at this time without enough live pairs. */
  readonly deadline: number;
  /** The version a watched promotion replaced (automatic rollback target). */
  readonly previousVersion: string | null;
  /** The round in progress (training, shadow) or being watched. */
  readonly current: RoundRecord | null;
}

export const initialRoundState = (phase: 'starting' | 'disabled' = 'starting'): RoundState => ({
  phase,
  gen: 0,
  round: 0,
  nextRoundAt: 0,
  lastDriftRound: 0,
  driftPending: false,
  deadline: 0,
  previousVersion: null,
  current: null,
});

/** Mean live error per role over the pairs scored so far in this phase. */
export type LiveScores = Partial<Record<ModelRole, number>>;

/** A change of the serving version an operator made: to `to`, older or newer than the version it replaced; `by`: the replica it was made on, when another one (followed through model.dir). */
export interface ManualChange {
  to: string;
  direction: 'older' | 'newer';
  by?: string;
}

export type RoundEvent =
  | { type: 'trainerReady'; now: number }
  | { type: 'trainerFailed' }
  | { type: 'trainerDied'; reason: string }
  | { type: 'trainerRestarted'; now: number }
  | { type: 'drift' }
  | { type: 'requestRound' }
  | { type: 'step'; now: number; pinned: boolean }
  | { type: 'roundStarted'; now: number; trigger: RoundTrigger }
  | { type: 'trained'; gen: number; now: number; trainLoss: number; holdout: HoldoutScores; seconds: number }
  | { type: 'trainFailed'; gen: number; reason: string }
  | { type: 'scored'; gen: number; now: number; pinned: boolean; count: number; mae: LiveScores }
  | { type: 'promoted'; gen: number; now: number; version: string; previous: string }
  | { type: 'rolledBack' } // the automatic rollback asked for by a `rollback` action is done
  | { type: 'rolledBackRefused'; reason: string } // refused: the model was pinned, or replaced from outside, meanwhile
  /** The serving version changed from outside the round; `manual`: by an operator (POST /v1/model/rollback, here or on a replica sharing model.dir), not by another replica's promotion or rollback or losing the lease. */
  | { type: 'championReplaced'; now: number; why: string; manual?: ManualChange }
  /** This replica lost the fine-tune lease: the round ends (the champion still serves; nobody watches a promotion of this replica's any more). */
  | { type: 'leaseLost'; now: number }
  | { type: 'failed'; reason: string }
  | { type: 'stopped' };

export type RoundAction =
  /** Tell the trainer to stop (true) or allow (false) training steps. */
  | { type: 'pauseTrainer'; paused: boolean }
  /** Assemble the round's data; when there is enough, report `roundStarted` and train. */
  | { type: 'startRound'; trigger: RoundTrigger }
  /** Score the queued live pairs with these models, then report `scored`. */
  | { type: 'score'; roles: ModelRole[] }
  /** Keep the trained challenger; live pairs count from now. */
  | { type: 'enterShadow'; record: RoundRecord }
  /** Live pairs count from now (scores and queue reset). */
  | { type: 'resetScoring' }
  | { type: 'clearQueue' }
  /** Drop the challenger (here and in the trainer). */
  | { type: 'discardChallenger'; inTrainer: boolean }
  /** Save and serve the challenger; report `promoted`. */
  | { type: 'promote'; record: RoundRecord }
  | { type: 'releasePrevious' } // a watch ended without a rollback (kept, pinned, refused, failed): the trainer drops the previous champion
  /** Serve `to` again and make the trainer's previous model its champion; report `rolledBack`. */
  | { type: 'rollback'; to: string; from: string | undefined; reason: string }
  /** Give the trainer the (externally replaced) champion. */
  | { type: 'reloadChampion' }
  /** Live error gauges (shadow with enough pairs). */
  | { type: 'reportShadow'; champion: number; challenger: number }
  /** A round ended (history, metrics, log). */
  | { type: 'finished'; record: RoundRecord }
  /** A promoted model survived its watch. */
  | { type: 'kept'; record: RoundRecord };

export interface Transition {
  state: RoundState;
  actions: RoundAction[];
}
