/**
 * The fine-tune round as a pure policy: `transition(state, event, limits) → { state, actions }`.
 * No timers, processes or tensors: the clock arrives in events (`now`), the results of work
 * (training, scoring, promotion) arrive as events, and what to do next leaves as actions that the
 * driver (./fine-tuner.ts) carries out in order. Tested as a table in test/unit/finetune/round-policy.test.ts.
 *
 * Phases (one round at a time):
 *   starting ──trainerReady──▶ idle                      starting ──trainerFailed──▶ disabled
 *   idle ──step (interval elapsed, or drift after the cooldown)──▶ startRound action (stays idle)
 *   idle ──roundStarted──▶ training ──trained, hold-out gate passed──▶ shadow
 *   training ──trained, gate failed / trainFailed──▶ idle (discard / aborted)
 *   shadow ──scored: ≥ minSamples, better by minImprovement──▶ promote action ──promoted──▶ watching
 *   shadow ──scored: not better, or past the deadline──▶ idle (discarded)
 *   shadow ──step while pinned──▶ idle (discarded)          watching ──step while pinned──▶ idle (kept)
 *   watching ──scored: MAE > previous × (1 + rollbackRegression)──▶ rollback action ──rolledBack──▶ idle
 *   watching ──rollbackRefused (pinned, or replaced meanwhile)──▶ idle (no decision while pinned)
 *   watching ──scored: 3 × minSamples pairs without regression, or past watchTimeoutMs──▶ idle (kept);
 *     every end of a watch but a rollback done releases the trainer's previous champion (`releasePrevious`)
 *   any live phase ──championReplaced / trainerDied / failed──▶ idle (a round training or in
 *     shadow ends: discarded / aborted; `failed`: its promotion or the work failed)
 *   watching ──championReplaced──▶ idle (rolled_back: an operator's rollback to an older version;
 *     replaced: an operator's change to a newer one — here or on another replica, followed through
 *     model.dir; aborted: another replica's promotion or automatic rollback followed)
 *   any live phase ──leaseLost──▶ idle, as championReplaced (a watch: aborted, saying the promoted
 *     version keeps serving unwatched)
 *   any ──stopped──▶ stopped (disabled stays disabled)
 *
 * `gen` counts replacements of the champion from outside the round: older generations' results are ignored.
 */
import type { FineTuneState, RoundAction, RoundEvent, RoundLimits, RoundRecord, RoundState, RoundTrigger, Transition } from './round-types.ts';

export { initialRoundState } from './round-types.ts';
export type { FineTuneState, LiveScores, ManualChange, RoundAction, RoundEvent, RoundLimits, RoundRecord, RoundState, RoundTrigger, Transition } from './round-types.ts';

const LIVE: ReadonlySet<FineTuneState> = new Set(['idle', 'training', 'shadow', 'watching']);
const pct = (x: number, digits: number) => (x * 100).toFixed(digits);

/** End the current round with `outcome` (no record, no action). */
function end(s: RoundState, outcome: 'discarded' | 'aborted' | 'rolled_back' | 'replaced', reason: string, by?: string): RoundAction[] {
  return s.current ? [{ type: 'finished', record: { ...s.current, outcome, reason, ...(by === undefined ? {} : { by }) } }] : [];
}

export function transition(s: RoundState, e: RoundEvent, l: RoundLimits): Transition {
  const stay: Transition = { state: s, actions: [] };
  if (s.phase === 'disabled' || (s.phase === 'stopped' && e.type !== 'stopped')) return stay;
  switch (e.type) {
    case 'trainerReady':
      return s.phase === 'starting' ? { state: { ...s, phase: 'idle', nextRoundAt: e.now + l.intervalMs }, actions: [] } : stay;
    case 'trainerFailed':
      return s.phase === 'starting' ? { state: { ...s, phase: 'disabled' }, actions: [] } : stay;
    case 'stopped':
      return { state: { ...s, phase: 'stopped' }, actions: [] };
    case 'drift':
      return { state: { ...s, driftPending: true }, actions: [] };
    case 'requestRound':
      return { state: { ...s, nextRoundAt: 0 }, actions: [] };
    case 'trainerRestarted':
      return { state: { ...s, nextRoundAt: e.now + l.intervalMs }, actions: [] };
    default:
      return LIVE.has(s.phase) ? live(s, e, l) : stay;
  }
}

function live(s: RoundState, e: RoundEvent, l: RoundLimits): Transition {
  const stay: Transition = { state: s, actions: [] };
  switch (e.type) {
    case 'step':
      return step(s, e.now, e.pinned, l);
    case 'roundStarted':
      return { state: { ...s, phase: 'training', round: s.round + 1, current: { round: s.round + 1, at: new Date(e.now).toISOString(), trigger: e.trigger, outcome: 'pending' } }, actions: [] };
    case 'trained':
      return e.gen === s.gen && s.phase === 'training' ? trained(s, e, l) : stay;
    case 'trainFailed':
      if (e.gen !== s.gen || s.phase !== 'training') return stay;
      return { state: { ...s, phase: 'idle', current: null }, actions: end(s, 'aborted', e.reason) };
    case 'scored':
      if (e.gen !== s.gen) return stay;
      if (s.phase === 'shadow') return shadowScored(s, e, l);
      return s.phase === 'watching' ? watchScored(s, e, l) : stay;
    case 'promoted': {
      if (e.gen !== s.gen || !s.current) return stay;
      const record = { ...s.current, version: e.version, outcome: 'pending' as const };
      return {
        state: { ...s, phase: 'watching', previousVersion: e.previous, current: record, deadline: e.now + l.watchTimeoutMs },
        actions: [{ type: 'finished', record: { ...record, outcome: 'promoted' } }, { type: 'resetScoring' }],
      };
    }
    case 'championReplaced':
    case 'leaseLost':
      return replaced(s, e, l);
    case 'trainerDied': {
      const inRound = s.phase === 'shadow' || s.phase === 'training';
      return { // the previous champion lived in the dead trainer: no automatic rollback to it
        state: { ...s, phase: 'idle', gen: s.gen + 1, current: null, previousVersion: null },
        actions: [...(inRound ? end(s, 'aborted', `trainer died: ${e.reason}`) : []), { type: 'discardChallenger', inTrainer: false }, { type: 'clearQueue' }],
      };
    }
    case 'rolledBack':
      if (s.phase !== 'watching' || !s.current) return stay;
      return {
        state: { ...s, phase: 'idle', previousVersion: null, current: null },
        actions: [{ type: 'clearQueue' }, { type: 'finished', record: { ...s.current, outcome: 'rolled_back' } }],
      };
    case 'rolledBackRefused':
      if (s.phase !== 'watching') return stay;
      return { state: { ...s, phase: 'idle', previousVersion: null, current: null }, actions: [{ type: 'clearQueue' }, { type: 'releasePrevious' }] };
    case 'failed': {
      // A round that fails (its promotion refused or not built, the trainer's answer lost) ends here, recorded; so does a watch.
      const inRound = s.phase === 'shadow' || s.phase === 'training';
      return { state: { ...s, phase: 'idle', current: null, previousVersion: null }, actions: [{ type: 'discardChallenger', inTrainer: inRound }, ...(inRound ? end(s, 'aborted', e.reason) : []), ...(s.phase === 'watching' ? [{ type: 'releasePrevious' } as const] : [])] };
    }
    default:
      return stay;
  }
}

/**
 * The serving version changed from outside the round. A round training or in shadow is discarded;
 * a watch ends recorded: an operator's change (POST /v1/model/rollback, on this replica or on
 * another one, followed through model.dir: `by`) as `rolled_back` to an older version, `replaced`
 * by a newer one; else `aborted` (another replica's promotion or rollback followed, the lease lost:
 * the champion was not replaced then, and the record says so — before 6 Dec 2026 it said
 * `champion replaced (fine-tune lease lost)` while the promoted version kept serving, unwatched).
 */
function replaced(s: RoundState, e: Extract<RoundEvent, { type: 'championReplaced' | 'leaseLost' }>, l: RoundLimits): Transition {
  const inRound = s.phase === 'shadow' || s.phase === 'training';
  const pairs = `after ${s.current?.watch?.count ?? 0} live pairs of watching`;
  const m = e.type === 'championReplaced' ? e.manual : undefined, where = m?.by === undefined ? '(POST /v1/model/rollback)' : `on replica ${m.by} (POST /v1/model/rollback there, followed through model.dir)`;
  const why = e.type === 'leaseLost' ? 'fine-tune lease lost' : `champion replaced (${e.why})`;
  const other = e.type === 'leaseLost' ? `watch ended: this replica lost the fine-tune lease; ${s.current?.version} keeps serving, no longer watched (no automatic rollback) ${pairs}` : `watch ended: ${why} ${pairs}`;
  const watchEnd = m ? end(s, m.direction === 'older' ? 'rolled_back' : 'replaced', `manual ${m.direction === 'older' ? 'rollback' : 'change'} to ${m.to} ${where} ${pairs}`, m.by) : end(s, 'aborted', other);
  return {
    state: { ...s, phase: 'idle', gen: s.gen + 1, current: null, previousVersion: null, nextRoundAt: e.now + l.intervalMs },
    actions: [{ type: 'discardChallenger', inTrainer: false }, { type: 'clearQueue' }, ...(inRound ? end(s, 'discarded', why) : []), ...(s.phase === 'watching' ? watchEnd : []), { type: 'reloadChampion' }],
  };
}

function step(s: RoundState, now: number, pinned: boolean, l: RoundLimits): Transition {
  if (pinned) {
    const actions: RoundAction[] = [{ type: 'pauseTrainer', paused: true }];
    if (s.phase === 'shadow') {
      actions.push(...end(s, 'discarded', 'model pinned'), { type: 'discardChallenger', inTrainer: true }, { type: 'clearQueue' });
      return { state: { ...s, phase: 'idle', current: null }, actions };
    }
    if (s.phase === 'watching') {
      const kept: RoundAction[] = s.current ? [{ type: 'kept', record: { ...s.current, outcome: 'kept', reason: `model pinned: the watch ended after ${s.current.watch?.count ?? 0} live pairs without a decision (no automatic rollback while pinned)` } }] : [];
      return { state: { ...s, phase: 'idle', previousVersion: null, current: null }, actions: [...actions, { type: 'clearQueue' }, ...kept, { type: 'releasePrevious' }] };
    }
    return { state: s, actions };
  }
  const actions: RoundAction[] = [{ type: 'pauseTrainer', paused: false }];
  if (s.phase === 'idle') {
    const drift = s.driftPending && now - s.lastDriftRound >= l.driftCooldownMs;
    if (now < s.nextRoundAt && !drift) return { state: s, actions };
    const trigger: RoundTrigger = drift && now < s.nextRoundAt ? 'drift' : 'interval';
    const state = { ...s, driftPending: false, lastDriftRound: drift ? now : s.lastDriftRound, nextRoundAt: now + l.intervalMs };
    return { state, actions: [...actions, { type: 'startRound', trigger }] };
  }
  if (s.phase === 'shadow') actions.push({ type: 'score', roles: ['champion', 'challenger'] });
  if (s.phase === 'watching') actions.push({ type: 'score', roles: ['champion', 'previous'] });
  return { state: s, actions };
}

function trained(s: RoundState, e: Extract<RoundEvent, { type: 'trained' }>, l: RoundLimits): Transition {
  const record: RoundRecord = { ...s.current!, trainLoss: e.trainLoss, holdout: e.holdout, seconds: e.seconds };
  const { champion: a, challenger: b } = e.holdout;
  if (!(b.mae <= a.mae * (1 - l.minImprovement))) {
    const reason = `hold-out MAE ${b.mae.toFixed(4)} not ${pct(l.minImprovement, 1)}% below the champion's ${a.mae.toFixed(4)}`;
    return { state: { ...s, phase: 'idle', current: null }, actions: [{ type: 'discardChallenger', inTrainer: true }, { type: 'finished', record: { ...record, outcome: 'discarded', reason } }] };
  }
  return { state: { ...s, phase: 'shadow', current: record, deadline: e.now + l.shadowTimeoutMs }, actions: [{ type: 'enterShadow', record }] };
}

function shadowScored(s: RoundState, e: Extract<RoundEvent, { type: 'scored' }>, l: RoundLimits): Transition {
  const n = e.count;
  const champion = e.mae.champion ?? 0;
  const challenger = e.mae.challenger ?? 0;
  const record: RoundRecord = { ...s.current!, shadow: { count: n, champion, challenger } };
  const state = { ...s, current: record };
  const discard = (reason: string): Transition => ({
    state: { ...state, phase: 'idle', current: null },
    actions: [{ type: 'discardChallenger', inTrainer: true }, { type: 'finished', record: { ...record, outcome: 'discarded', reason } }],
  });
  if (n >= l.minSamples) {
    const report: RoundAction = { type: 'reportShadow', champion, challenger };
    if (e.pinned) return { state, actions: [report] }; // pinned while scoring: the next step discards
    if (challenger <= champion * (1 - l.minImprovement)) return { state, actions: [report, { type: 'promote', record }] };
    const t = discard(`live (shadow) MAE ${challenger.toFixed(4)} over ${n} pairs not ${pct(l.minImprovement, 1)}% below the champion's ${champion.toFixed(4)}`);
    return { ...t, actions: [report, ...t.actions] };
  }
  if (e.now > s.deadline) return discard(`only ${n} live pairs within the shadow deadline (need ${l.minSamples})`);
  return { state, actions: [] };
}

function watchScored(s: RoundState, e: Extract<RoundEvent, { type: 'scored' }>, l: RoundLimits): Transition {
  const n = e.count;
  const champion = e.mae.champion ?? 0;
  const previous = e.mae.previous ?? 0;
  const record: RoundRecord = { ...s.current!, watch: { count: n, champion, previous } };
  if (e.pinned) return { state: { ...s, current: record }, actions: [] }; // pinned while scoring: the next step ends the watch
  if (n >= l.minSamples && champion > previous * (1 + l.rollbackRegression) && s.previousVersion) {
    const to = s.previousVersion;
    const reason = `automatic rollback: live MAE ${champion.toFixed(4)} of ${record.version} is more than ${pct(l.rollbackRegression, 0)}% above ${to}'s ${previous.toFixed(4)} over ${n} pairs`;
    // Still watching until the rollback is done (`rolledBack`); results of older work are void.
    return { state: { ...s, gen: s.gen + 1, current: { ...record, reason } }, actions: [{ type: 'rollback', to, from: record.version, reason }] };
  }
  // Past the deadline (an idle or slow stream) the watch ends all the same: no round starts while watching.
  if (n >= 3 * l.minSamples || e.now > s.deadline) {
    const kept: RoundRecord = n >= 3 * l.minSamples ? { ...record, outcome: 'kept' } : { ...record, outcome: 'kept', reason: `watch ended at its deadline (finetune.watchTimeoutMs ${l.watchTimeoutMs} ms) after ${n} of ${3 * l.minSamples} live pairs, no regression found` };
    return { state: { ...s, phase: 'idle', current: null, previousVersion: null }, actions: [{ type: 'clearQueue' }, { type: 'kept', record: kept }, { type: 'releasePrevious' }] };
  }
  return { state: { ...s, current: record }, actions: [] };
}
