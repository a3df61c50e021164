/**
 * Evidence for the promotion gate, with the real model and worker (poisoning): garbage targets
 * for a while, a round trains on them, clean data returns → the challenger is not promoted (or,
 * if it was, it is rolled back); the serving model stays v1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../unit/finetune/helpers.ts';
import { H, W, phase, roundOn, series, setup } from './finetune-guard-setup.ts';

test('poisoning: a round trained on garbage targets is not promoted; the serving model stays v1', { timeout: 120_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, {});
  const ft = svc.finetune!;
  const r = rng(5);
  const clean = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const garbage = () => (r() * 2 - 1) * 3;
  await h.feed(series, 500, clean);
  const cleanBefore = h.mae('svc', W, h.tick - H);
  await h.feed(series, 500, garbage);
  await roundOn(svc, h, garbage);
  const resumeAt = h.tick;
  // Clean data again until the round is decided.
  const t0 = Date.now();
  await h.feed(series, 100_000, clean, { until: () => ft.state === 'idle' || Date.now() - t0 > 30_000 });
  await h.feed(series, 200, clean);
  const cleanAfter = h.mae('svc', resumeAt + W, h.tick - H);
  const rounds = ft.history.map((x) => ({ outcome: x.outcome, reason: x.reason, holdout: x.holdout && [x.holdout.champion.mae, x.holdout.challenger.mae], shadow: x.shadow && [x.shadow.champion, x.shadow.challenger] }));
  console.log(`poisoning evidence: ${JSON.stringify({ cleanBefore, cleanAfter, rounds, serving: svc.info().version })}`);
  assert.equal(ft.state, 'idle');
  assert.ok(rounds.length >= 1);
  const promoted = ft.history.filter((x) => x.outcome === 'promoted').length;
  const rolledBack = ft.history.filter((x) => x.outcome === 'rolled_back').length;
  assert.equal(promoted, rolledBack, 'a poisoned challenger was promoted and kept');
  assert.equal(svc.info().version, 'v1');
  // The gate judged on evidence: the poisoned challenger was worse on clean live data (shadow),
  // or did not beat the champion on the hold-out.
  const last = ft.history[ft.history.length - 1];
  assert.equal(last.outcome, 'discarded');
  if (last.shadow) assert.ok(last.shadow.challenger > last.shadow.champion * 0.98, `shadow ${JSON.stringify(last.shadow)}`);
  // The serving model's accuracy on clean data is unchanged by the episode.
  assert.ok(cleanAfter.mae < cleanBefore.mae * 1.3, `clean MAE ${cleanBefore.mae} → ${cleanAfter.mae}`);
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="discarded"\} [1-9]/);
});
