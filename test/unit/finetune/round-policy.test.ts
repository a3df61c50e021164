/**
 * The fine-tune round policy as a table: (state, event) → (state, actions), with no trainer,
 * timers or tensors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialRoundState, transition, type RoundEvent, type RoundLimits, type RoundState } from '../../../src/model/finetune/round-policy.ts';

const L: RoundLimits = { intervalMs: 1000, driftCooldownMs: 250, shadowTimeoutMs: 5000, minSamples: 10, minImprovement: 0.02, rollbackRegression: 0.1, watchTimeoutMs: 8000 };
const gate = (champion: number, challenger: number) => ({ champion: { mae: champion, pinball: 0 }, challenger: { mae: challenger, pinball: 0 } });

/** Run events from a state; returns the final state and every action type in order. */
function run(s: RoundState, events: RoundEvent[]): { s: RoundState; actions: string[] } {
  const actions: string[] = [];
  for (const e of events) {
    const t = transition(s, e, L);
    s = t.state;
    actions.push(...t.actions.map((a) => (a.type === 'finished' ? `finished:${a.record.outcome}` : a.type)));
  }
  return { s, actions };
}

const idle = run(initialRoundState(), [{ type: 'trainerReady', now: 0 }]).s;
const training = run(idle, [{ type: 'roundStarted', now: 1000, trigger: 'interval' }]).s;
const shadow = run(training, [{ type: 'trained', gen: 0, now: 1100, trainLoss: 0.1, holdout: gate(1, 0.5), seconds: 1 }]).s;
const watching = run(shadow, [{ type: 'promoted', gen: 0, now: 2000, version: 'v2', previous: 'v1' }]).s;

const table: { name: string; from: RoundState; events: RoundEvent[]; phase: string; actions: string[]; check?: (s: RoundState) => void }[] = [
  { name: 'starting → idle when the trainer is ready; next round one interval later', from: initialRoundState(), events: [{ type: 'trainerReady', now: 5 }], phase: 'idle', actions: [], check: (s) => assert.equal(s.nextRoundAt, 1005) },
  { name: 'starting → disabled when the trainer fails', from: initialRoundState(), events: [{ type: 'trainerFailed' }], phase: 'disabled', actions: [] },
  { name: 'disabled ignores everything but stays disabled on stop', from: initialRoundState('disabled'), events: [{ type: 'step', now: 1e9, pinned: false }, { type: 'stopped' }], phase: 'disabled', actions: [] },
  { name: 'idle, before the interval: nothing to do', from: idle, events: [{ type: 'step', now: 999, pinned: false }], phase: 'idle', actions: ['pauseTrainer'] },
  { name: 'idle, interval elapsed: a round starts (interval trigger)', from: idle, events: [{ type: 'step', now: 1000, pinned: false }], phase: 'idle', actions: ['pauseTrainer', 'startRound'], check: (s) => assert.equal(s.nextRoundAt, 2000) },
  { name: 'drift after the cooldown starts an early round', from: idle, events: [{ type: 'drift' }, { type: 'step', now: 300, pinned: false }], phase: 'idle', actions: ['pauseTrainer', 'startRound'], check: (s) => assert.equal(s.lastDriftRound, 300) },
  { name: 'drift inside the cooldown waits', from: { ...idle, lastDriftRound: 200 }, events: [{ type: 'drift' }, { type: 'step', now: 300, pinned: false }], phase: 'idle', actions: ['pauseTrainer'], check: (s) => assert.equal(s.driftPending, true) },
  { name: 'requestRound makes the next step start one', from: idle, events: [{ type: 'requestRound' }, { type: 'step', now: 1, pinned: false }], phase: 'idle', actions: ['pauseTrainer', 'startRound'] },
  { name: 'roundStarted → training, round counted', from: idle, events: [{ type: 'roundStarted', now: 0, trigger: 'manual' }], phase: 'training', actions: [], check: (s) => assert.equal(s.round, 1) },
  { name: 'hold-out gate failed → idle, challenger discarded', from: training, events: [{ type: 'trained', gen: 0, now: 0, trainLoss: 1, holdout: gate(1, 0.99), seconds: 1 }], phase: 'idle', actions: ['discardChallenger', 'finished:discarded'] },
  { name: 'hold-out gate passed → shadow', from: training, events: [{ type: 'trained', gen: 0, now: 0, trainLoss: 1, holdout: gate(1, 0.9), seconds: 1 }], phase: 'shadow', actions: ['enterShadow'], check: (s) => assert.equal(s.deadline, 5000) },
  { name: 'a result from an older generation is ignored', from: { ...training, gen: 1 }, events: [{ type: 'trained', gen: 0, now: 0, trainLoss: 1, holdout: gate(1, 0.5), seconds: 1 }], phase: 'training', actions: [] },
  { name: 'training failed → idle, aborted', from: training, events: [{ type: 'trainFailed', gen: 0, reason: 'NaN' }], phase: 'idle', actions: ['finished:aborted'] },
  { name: 'shadow step scores champion and challenger', from: shadow, events: [{ type: 'step', now: 0, pinned: false }], phase: 'shadow', actions: ['pauseTrainer', 'score'] },
  { name: 'shadow: too few pairs, before the deadline → keep scoring', from: shadow, events: [{ type: 'scored', gen: 0, now: 2000, pinned: false, count: 5, mae: { champion: 1, challenger: 0.5 } }], phase: 'shadow', actions: [], check: (s) => assert.equal(s.current?.shadow?.count, 5) },
  { name: 'shadow: too few pairs past the deadline → discarded', from: shadow, events: [{ type: 'scored', gen: 0, now: 9000, pinned: false, count: 5, mae: { champion: 1, challenger: 0.5 } }], phase: 'idle', actions: ['discardChallenger', 'finished:discarded'] },
  { name: 'shadow: enough pairs, better → promote', from: shadow, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 10, mae: { champion: 1, challenger: 0.9 } }], phase: 'shadow', actions: ['reportShadow', 'promote'] },
  { name: 'shadow: enough pairs, not better by minImprovement → discarded', from: shadow, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 10, mae: { champion: 1, challenger: 0.99 } }], phase: 'idle', actions: ['reportShadow', 'discardChallenger', 'finished:discarded'] },
  { name: 'shadow: pinned while scoring → no decision', from: shadow, events: [{ type: 'scored', gen: 0, now: 0, pinned: true, count: 10, mae: { champion: 1, challenger: 0.5 } }], phase: 'shadow', actions: ['reportShadow'] },
  { name: 'shadow: a pinned step discards', from: shadow, events: [{ type: 'step', now: 0, pinned: true }], phase: 'idle', actions: ['pauseTrainer', 'finished:discarded', 'discardChallenger', 'clearQueue'] },
  { name: 'promoted → watching, recorded, scoring from now', from: shadow, events: [{ type: 'promoted', gen: 0, now: 2000, version: 'v2', previous: 'v1' }], phase: 'watching', actions: ['finished:promoted', 'resetScoring'], check: (s) => assert.equal(s.previousVersion, 'v1') },
  { name: 'watching: regression → rollback to the previous version; watching until it is done', from: watching, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 10, mae: { champion: 1.2, previous: 1 } }], phase: 'watching', actions: ['rollback'], check: (s) => assert.equal(s.gen, 1) },
  { name: 'watching: rollback done → idle, recorded, no rollback target left', from: watching, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 10, mae: { champion: 1.2, previous: 1 } }, { type: 'scored', gen: 0, now: 0, pinned: false, count: 20, mae: { champion: 2, previous: 1 } }, { type: 'rolledBack' }], phase: 'idle', actions: ['rollback', 'clearQueue', 'finished:rolled_back'], check: (s) => assert.equal(s.previousVersion, null) },
  { name: 'watching: 3 × minSamples without regression → kept', from: watching, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 30, mae: { champion: 1.05, previous: 1 } }], phase: 'idle', actions: ['clearQueue', 'kept', 'releasePrevious'], check: (s) => assert.equal(s.previousVersion, null) },
  { name: 'watching: too few pairs before its deadline → keeps watching', from: watching, events: [{ type: 'scored', gen: 0, now: 10_000, pinned: false, count: 4, mae: { champion: 1.05, previous: 1 } }], phase: 'watching', actions: [], check: (s) => assert.equal(s.deadline, 10_000) },
  // Before 6 Dec 2026 the watch had no deadline: on an idle stream it never ended and no round started.
  { name: 'watching: past its deadline (finetune.watchTimeoutMs) → kept with the reason, idle', from: watching, events: [{ type: 'scored', gen: 0, now: 10_001, pinned: false, count: 4, mae: { champion: 1.05, previous: 1 } }], phase: 'idle', actions: ['clearQueue', 'kept', 'releasePrevious'], check: (s) => assert.equal(s.current, null) },
  { name: 'watching: a regression over minSamples past the deadline still rolls back', from: watching, events: [{ type: 'scored', gen: 0, now: 20_000, pinned: false, count: 10, mae: { champion: 1.2, previous: 1 } }], phase: 'watching', actions: ['rollback'] },
  { name: 'watching: a pinned step ends the watch, recorded as kept (the pinned model stays), no current round left', from: watching, events: [{ type: 'step', now: 0, pinned: true }], phase: 'idle', actions: ['pauseTrainer', 'clearQueue', 'kept', 'releasePrevious'], check: (s) => assert.equal(s.current, null) },
  { name: 'champion replaced in shadow → idle, discarded, trainer reloaded, new generation', from: shadow, events: [{ type: 'championReplaced', now: 0, why: 'manual' }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:discarded', 'reloadChampion'], check: (s) => assert.equal(s.gen, 1) },
  // Before 6 Dec 2026 a watch ended by a change from outside left no record: GET /v1/model's `last` still said `promoted`.
  { name: 'watching: an operator rolls back to an older version → idle, the watch recorded as rolled_back (once), trainer reloaded', from: watching, events: [{ type: 'championReplaced', now: 0, why: 'manual rollback to v1', manual: { to: 'v1', direction: 'older' } }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:rolled_back', 'reloadChampion'], check: (s) => assert.deepEqual([s.gen, s.previousVersion, s.current], [1, null, null]) },
  { name: 'watching: an operator serves a newer version → idle, the watch recorded as replaced (a manual change, not a rollback, not aborted)', from: watching, events: [{ type: 'championReplaced', now: 0, why: 'manual change to v3', manual: { to: 'v3', direction: 'newer' } }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:replaced', 'reloadChampion'] },
  { name: "watching: another replica's operator rolls back (followed through model.dir) → idle, the watch recorded as rolled_back", from: watching, events: [{ type: 'championReplaced', now: 0, why: 'followed the model directory: manual rollback to v1 by b', manual: { to: 'v1', direction: 'older', by: 'b' } }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:rolled_back', 'reloadChampion'] },
  { name: 'watching: a version followed from model.dir → idle, the watch recorded as aborted, not as a manual rollback', from: watching, events: [{ type: 'championReplaced', now: 0, why: 'followed the model directory' }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:aborted', 'reloadChampion'] },
  { name: 'watching: the lease lost → idle, the watch recorded as aborted, trainer reloaded, new generation', from: watching, events: [{ type: 'leaseLost', now: 0 }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'finished:aborted', 'reloadChampion'], check: (s) => assert.deepEqual([s.gen, s.previousVersion, s.current], [1, null, null]) },
  { name: 'idle: a manual rollback records no round (there is none)', from: idle, events: [{ type: 'championReplaced', now: 0, why: 'manual rollback to v1', manual: { to: 'v1', direction: 'older' } }], phase: 'idle', actions: ['discardChallenger', 'clearQueue', 'reloadChampion'] },
  { name: 'trainer died while training → aborted, no rollback target', from: { ...training, previousVersion: 'v1' }, events: [{ type: 'trainerDied', reason: 'killed' }], phase: 'idle', actions: ['finished:aborted', 'discardChallenger', 'clearQueue'], check: (s) => assert.equal(s.previousVersion, null) },
  { name: 'loop failure in shadow (e.g. the promotion refused or not built) → idle, the round recorded as aborted, challenger dropped in the trainer too', from: shadow, events: [{ type: 'failed', reason: 'engine could not be built' }], phase: 'idle', actions: ['discardChallenger', 'finished:aborted'], check: (s) => assert.equal(s.current, null) },
  { name: 'loop failure while watching → idle; the promoted round is not recorded twice', from: watching, events: [{ type: 'failed', reason: 'score lost' }], phase: 'idle', actions: ['discardChallenger', 'releasePrevious'], check: (s) => assert.equal(s.current, null) },
  { name: 'watching: pinned while scoring → no rollback decision (the next step ends the watch)', from: watching, events: [{ type: 'scored', gen: 0, now: 0, pinned: true, count: 10, mae: { champion: 2, previous: 1 } }], phase: 'watching', actions: [], check: (s) => assert.equal(s.gen, 0) },
  { name: 'watching: automatic rollback refused (pinned or replaced meanwhile) → idle, no rollback target', from: watching, events: [{ type: 'scored', gen: 0, now: 0, pinned: false, count: 10, mae: { champion: 1.2, previous: 1 } }, { type: 'rolledBackRefused', reason: 'pinned' }], phase: 'idle', actions: ['rollback', 'clearQueue', 'releasePrevious'], check: (s) => assert.equal(s.previousVersion, null) },
  { name: 'a refused rollback after the champion was replaced changes nothing', from: idle, events: [{ type: 'rolledBackRefused', reason: 'v2 no longer serves' }], phase: 'idle', actions: [] },
  { name: 'stopped → stopped, and stays', from: watching, events: [{ type: 'stopped' }, { type: 'step', now: 1e9, pinned: false }], phase: 'stopped', actions: [] },
];

for (const row of table) {
  test(`round policy: ${row.name}`, () => {
    const { s, actions } = run(row.from, row.events);
    assert.equal(s.phase, row.phase);
    assert.deepEqual(actions, row.actions);
    row.check?.(s);
  });
}

test('round policy: a watch ended by a pin records it as kept, with its pairs so far and why', () => {
  const scored = transition(watching, { type: 'scored', gen: 0, now: 2500, pinned: false, count: 7, mae: { champion: 1.05, previous: 1 } }, L).state;
  const t = transition(scored, { type: 'step', now: 3000, pinned: true }, L);
  const kept = t.actions.find((a) => a.type === 'kept');
  assert.ok(kept && kept.type === 'kept', `no kept record: ${JSON.stringify(t.actions)}`);
  assert.equal(kept.record.version, 'v2');
  assert.deepEqual(kept.record.watch, { count: 7, champion: 1.05, previous: 1 });
  assert.match(String(kept.record.reason), /model pinned: the watch ended after 7 live pairs without a decision/);
  assert.equal(t.state.previousVersion, null);
});

test('round policy: a watch ended by a manual rollback says so, with the version and its pairs so far; a followed change says why', () => {
  const scored = transition(watching, { type: 'scored', gen: 0, now: 2500, pinned: false, count: 7, mae: { champion: 1.05, previous: 1 } }, L).state;
  const records = (e: RoundEvent) => transition(scored, e, L).actions.flatMap((a) => (a.type === 'finished' ? [a.record] : []));
  const [manual] = records({ type: 'championReplaced', now: 3000, why: 'manual rollback to v1', manual: { to: 'v1', direction: 'older' } });
  assert.deepEqual([manual.outcome, manual.version, manual.round, manual.watch], ['rolled_back', 'v2', 1, { count: 7, champion: 1.05, previous: 1 }]);
  assert.equal(manual.reason, 'manual rollback to v1 (POST /v1/model/rollback) after 7 live pairs of watching');
  const [followed] = records({ type: 'championReplaced', now: 3000, why: 'followed the model directory' });
  assert.equal(followed.outcome, 'aborted');
  assert.equal(followed.reason, 'watch ended: champion replaced (followed the model directory) after 7 live pairs of watching');
  assert.equal(followed.by, undefined);
  const [elsewhere] = records({ type: 'championReplaced', now: 3000, why: 'followed the model directory: manual rollback to v1 by b', manual: { to: 'v1', direction: 'older', by: 'b' } });
  assert.deepEqual([elsewhere.outcome, elsewhere.by, elsewhere.reason], ['rolled_back', 'b', 'manual rollback to v1 on replica b (POST /v1/model/rollback there, followed through model.dir) after 7 live pairs of watching']);
  // The lease lost: the promoted version still serves; the record must not say it was replaced.
  const [lost] = records({ type: 'leaseLost', now: 3000 });
  assert.deepEqual([lost.outcome, lost.reason], ['aborted', 'watch ended: this replica lost the fine-tune lease; v2 keeps serving, no longer watched (no automatic rollback) after 7 live pairs of watching']);
  const [newer] = records({ type: 'championReplaced', now: 3000, why: 'manual change to v3', manual: { to: 'v3', direction: 'newer' } });
  assert.deepEqual([newer.outcome, newer.reason], ['replaced', 'manual change to v3 (POST /v1/model/rollback) after 7 live pairs of watching']);
});

test('round policy: a watch ended by its deadline records why the model was kept', () => {
  const t = transition(watching, { type: 'scored', gen: 0, now: 10_001, pinned: false, count: 4, mae: { champion: 1.05, previous: 1 } }, L);
  const kept = t.actions.find((a) => a.type === 'kept');
  assert.ok(kept && kept.type === 'kept');
  assert.equal(kept.record.outcome, 'kept');
  assert.deepEqual(kept.record.watch, { count: 4, champion: 1.05, previous: 1 });
  assert.match(String(kept.record.reason), /deadline \(finetune\.watchTimeoutMs 8000 ms\) after 4 of 30 live pairs/);
});

test('round policy: a whole round, interval → promoted → kept, records say what happened', () => {
  const { s, actions } = run(idle, [
    { type: 'step', now: 1000, pinned: false },
    { type: 'roundStarted', now: 1000, trigger: 'interval' },
    { type: 'trained', gen: 0, now: 1100, trainLoss: 0.1, holdout: gate(1, 0.8), seconds: 2 },
    { type: 'scored', gen: 0, now: 1200, pinned: false, count: 12, mae: { champion: 1, challenger: 0.8 } },
    { type: 'promoted', gen: 0, now: 2000, version: 'v2', previous: 'v1' },
    { type: 'scored', gen: 0, now: 1300, pinned: false, count: 30, mae: { champion: 0.8, previous: 1 } },
  ]);
  assert.equal(s.phase, 'idle');
  assert.equal(s.round, 1);
  assert.equal(s.current, null);
  assert.deepEqual(actions, ['pauseTrainer', 'startRound', 'enterShadow', 'reportShadow', 'promote', 'finished:promoted', 'resetScoring', 'clearQueue', 'kept', 'releasePrevious']);
});
