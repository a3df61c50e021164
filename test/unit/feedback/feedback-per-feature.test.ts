/**
 * Alert feedback on a multivariate series (issue 13: alerts per feature). A false positive on one
 * feature's alert raises the bar for that feature's later alerts, not another feature's: before
 * 6 Dec 2026 it raised the whole series' bar, so "the mem alert was noise" muted the next cpu alert
 * of the same host. The feature travels with the feedback: REST/MCP (from the alert index or the
 * open alert), the feedback log, the feedback topic, and the alert index's snapshot state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import { isFeedbackEntry } from '../../../src/domain/feedback/feedback.ts';
import type { AnomalyEvent } from '../../../src/domain/anomaly/index.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { FeedbackGate } from '../../../src/pipeline/feedback-gate.ts';
import { decodeFeedbackRecord } from '../../../src/pipeline/feedback-intake.ts';
import { FeedbackService, topicRecord } from '../../../src/pipeline/feedback-service.ts';
import type { AnomalyScorer } from '../../../src/pipeline/ports.ts';

const policy = () => new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });

/** Every feature fires a warning at score 0.5 on each tick (a fresh alert: the gate judges each). */
const firesEveryTick: AnomalyScorer = {
  observe(series, tsMs, value, _e, feature = '') {
    const event: AnomalyEvent = { state: 'firing', severity: 'warning', series, feature, tsMs, value, score: 0.5, expected: null, basis: 'fallback', view: 'forecast' };
    return { score: 0.5, event };
  },
  forget() {},
};

const firing = (id: string, feature: string, ts: number) =>
  ({ id, kind: 'alert' as const, series: 'h1', feature, ts, value: 1, expected: 0, lower: 0, upper: 0, score: 0.6, severity: 'warning' as const, state: 'firing' as const, model: 'm', view: 'forecast' as const });

test("a false positive on one feature's alert holds back that feature's next alert, not another feature's", async () => {
  const p = policy();
  const index = new AlertIndex(10);
  index.add(firing('a-mem', 'mem', 0));
  const svc = new FeedbackService({ policy: p, index, store: null, expectedSpanMs: 60_000 });
  const r = await svc.give('a-mem', { verdict: 'false_positive' }, 'http');
  assert.equal(r.feedback?.feature, 'mem', 'the entry names the feature of the alert');
  const gate = new FeedbackGate(firesEveryTick, p);
  // One minute later the bar for mem is ≈ 0.65: mem's 0.5 alert is held back, cpu's is not.
  assert.equal(gate.observe('h1', 60_000, 1, null, 'mem').event, undefined, 'mem: held back');
  assert.equal(gate.observe('h1', 60_000, 1, null, 'cpu').event?.feature, 'cpu', 'cpu: sent');
  // Feedback without a feature (recorded before, or a topic record without one) applies to every feature.
  p.apply({ alertId: 'old', series: 'h2', alertTs: 0, score: 0.6, verdict: 'false_positive', channel: 'http', at: 0 });
  assert.equal(gate.observe('h2', 60_000, 1, null, 'cpu').event, undefined, 'feature-less feedback: every feature');
});

test('the feature goes with the feedback: the open alert, the topic record, a stored entry, the alert index snapshot', async () => {
  // An alert no longer in the index but still open (SeriesOutlook.openAlert).
  const p = policy();
  const svc = new FeedbackService({ policy: p, index: new AlertIndex(10), store: null, expectedSpanMs: 60_000, openAlert: (id) => (id === 'o' ? firing('o', 'disk', 0) : undefined) });
  const r = await svc.give('o', { verdict: 'false_positive' }, 'mcp');
  assert.equal(r.feedback?.feature, 'disk');
  const topic = topicRecord(r.feedback!);
  assert.equal(topic.feature, 'disk');
  const decoded = decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify(topic)) });
  assert.equal(decoded.ref?.feature, 'disk', 'another instance reads the feature off the topic');
  assert.ok(isFeedbackEntry(r.feedback), 'an entry with a feature is a stored entry');
  assert.ok(!isFeedbackEntry({ ...r.feedback, feature: 7 }), 'a feature that is not a string is not');
  // The index keeps the feature across a restart (snapshot state), also without a view.
  const index = new AlertIndex(10);
  index.add(firing('i', 'mem', 0));
  const { view: _v, ...noView } = firing('j', 'cpu', 0);
  index.add(noView);
  const again = new AlertIndex(10);
  again.importState(JSON.parse(JSON.stringify(index.exportState())));
  assert.deepEqual([again.get('i')?.feature, again.get('i')?.view, again.get('j')?.feature, again.get('j')?.view], ['mem', 'forecast', 'cpu', undefined]);
});

test('a feature name of any length that the service itself publishes is taken off the topic; a non-string one is refused', () => {
  const long = 'f'.repeat(1000);
  const rec = (feature: unknown) => ({ key: null, value: Buffer.from(JSON.stringify({ alertId: 'a', verdict: 'false_positive', series: 's', ts: 1, score: 0.5, feature })) });
  assert.equal(decodeFeedbackRecord(rec(long)).ref?.feature, long);
  assert.throws(() => decodeFeedbackRecord(rec(7)), /"feature" names the feature/);
  assert.throws(() => decodeFeedbackRecord(rec('')), /"feature" names the feature/);
});
