/** The gate over a scripted scorer: which alert events leave it, given feedback. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeedbackGate } from '../../../src/pipeline/feedback-gate.ts';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import type { AnomalyScorer } from '../../../src/pipeline/ports.ts';
import type { AnomalyEvent } from '../../../src/domain/anomaly/index.ts';

type Step = [score: number, event?: ['firing' | 'resolved', 'warning' | 'critical', view?: AnomalyEvent['view']]];

/** A scorer that replays a script of (score, event) per tick. */
function scripted(steps: Step[]): AnomalyScorer & { forgotten: string[] } {
  let i = 0;
  const forgotten: string[] = [];
  return {
    forgotten,
    observe(series, tsMs, value) {
      const [score, ev] = steps[i++];
      if (!ev) return { score };
      const event: AnomalyEvent = { state: ev[0], severity: ev[1], series, tsMs, value, score, expected: null, basis: 'fallback', ...(ev[2] ? { view: ev[2] } : {}) };
      return { score, event };
    },
    forget: (s) => void forgotten.push(s),
  };
}

const policy = () => new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });

function run(gate: AnomalyScorer, n: number): string[] {
  const out: string[] = [];
  for (let t = 0; t < n; t++) {
    const o = gate.observe('s', t * 60_000, 1, null);
    if (o.event) out.push(`${t}:${o.event.state}/${o.event.severity}`);
  }
  return out;
}

test('without feedback every event passes unchanged', () => {
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.1], [0.1, ['resolved', 'warning']]]), policy());
  assert.deepEqual(run(g, 3), ['0:firing/warning', '2:resolved/warning']);
});

test('a held-back firing takes its resolve with it; an escalation above the bar is sent', () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.5, verdict: 'false_positive', channel: 'http', at: 0 });
  const held: string[] = [];
  const g = new FeedbackGate(
    scripted([[0.5, ['firing', 'warning']], [0.1], [0.1, ['resolved', 'warning']], [0.52, ['firing', 'warning']], [0.9, ['firing', 'critical']], [0.1, ['resolved', 'critical']]]),
    p,
    { suppressed: (s, r) => held.push(`${s}:${r}`) },
  );
  assert.deepEqual(run(g, 6), ['4:firing/critical', '5:resolved/critical']);
  assert.deepEqual(held, ['s:false_positive', 's:false_positive']);
});

test('an escalation of an alert already sent is always sent, even inside a maintenance span set since', () => {
  const p = policy();
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.95, ['firing', 'critical']], [0.1, ['resolved', 'critical']]]), p);
  assert.equal(g.observe('s', 0, 1, null).event?.state, 'firing');
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 3_600_000, channel: 'http', at: 1 });
  assert.equal(g.observe('s', 60_000, 1, null).event?.severity, 'critical');
  assert.equal(g.observe('s', 120_000, 1, null).event?.state, 'resolved');
});

test('forget passes through to the detector', () => {
  const inner = scripted([]);
  new FeedbackGate(inner, policy()).forget('gone');
  assert.deepEqual(inner.forgotten, ['gone']);
});

test('a held-back event keeps the observation\'s score and gap (feed-outage metrics still count it)', () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.5, verdict: 'false_positive', channel: 'http', at: 0 });
  const inner: AnomalyScorer = {
    observe: (series, tsMs, value) => ({ score: 0.5, gap: 12, event: { state: 'firing', severity: 'warning', series, tsMs, value, score: 0.5, expected: null, basis: 'fallback' } }),
    forget: () => {},
  };
  assert.deepEqual(new FeedbackGate(inner, p).observe('s', 0, 1, null), { score: 0.5, gap: 12 });
});

test("a false positive on one view holds back that view's next alert, not another view's", () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.6, view: 'forecast', verdict: 'false_positive', channel: 'http', at: 0 });
  const g = new FeedbackGate(
    scripted([[0.5, ['firing', 'warning', 'forecast']], [0.1, ['resolved', 'warning']], [0.5, ['firing', 'warning', 'seasonal']], [0.1, ['resolved', 'warning']]]),
    p,
  );
  assert.deepEqual(run(g, 4), ['2:firing/warning', '3:resolved/warning']);
});

test('an alert held back by a maintenance span that still fires when the span ends is sent then, once, with its real start', () => {
  const p = policy();
  // Maintenance from 0 to 3 min: the alert fires at 1 min (held), still fires at 4 min, resolves at 6 min.
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 180_000, channel: 'http', at: 0 });
  const g = new FeedbackGate(scripted([[0.1], [0.5, ['firing', 'warning', 'forecast']], [0.3], [0.3], [0.3], [0.3], [0.1, ['resolved', 'warning']]]), p);
  const seen: AnomalyEvent[] = [];
  for (let t = 0; t < 7; t++) {
    const e = g.observe('s', t * 60_000, 1, null).event;
    if (e) seen.push(e);
  }
  assert.deepEqual(seen.map((e) => `${e.state}@${e.tsMs}/${e.heldUntilTs ?? '-'}`), ['firing@60000/240000', 'resolved@360000/-']);
  assert.equal(seen[0].score, 0.5);
  assert.equal(seen[0].view, 'forecast');
});

test('a held-back alert that resolves inside its maintenance span is never sent; an escalation held in it is released as critical', () => {
  const p = policy();
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 120_000, channel: 'http', at: 0 });
  const g1 = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.1, ['resolved', 'warning']], [0.1], [0.1]]), p);
  assert.deepEqual(run(g1, 4), []);
  const g2 = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.95, ['firing', 'critical']], [0.3], [0.3], [0.1, ['resolved', 'critical']]]), p);
  assert.deepEqual(run(g2, 5), ['3:firing/critical', '4:resolved/critical']);
});

test('withdrawing the maintenance feedback releases the alert it holds back on the next tick', () => {
  const p = policy();
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 3_600_000, channel: 'http', at: 0 });
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.3], [0.3]]), p);
  assert.equal(g.observe('s', 0, 1, null).event, undefined);
  assert.equal(g.observe('s', 60_000, 1, null).event, undefined);
  p.remove('m');
  assert.deepEqual(g.observe('s', 120_000, 1, null).event?.heldUntilTs, 120_000);
});

test('an alert held back by the false-positive bar is not released by the passing of time', () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.5, verdict: 'false_positive', channel: 'http', at: 0 });
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.3], [0.3], [0.3]]), p);
  assert.deepEqual(run(g, 4), []);
});

test('the gate\'s open alerts survive a restart through exportSeries/importSeries: an escalation of a sent alert is still sent, a held one is released after its span; malformed state is skipped', () => {
  const p = policy();
  const g1 = new FeedbackGate(scripted([[0.5, ['firing', 'warning']]]), p);
  assert.equal(g1.observe('s', 0, 1, null).event?.state, 'firing');
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 3_600_000, channel: 'http', at: 1 });
  const saved = JSON.parse(JSON.stringify(g1.exportSeries('s')));
  const g2 = new FeedbackGate(scripted([[0.95, ['firing', 'critical']]]), p);
  g2.importSeries('s', saved);
  assert.equal(g2.observe('s', 60_000, 1, null).event?.severity, 'critical', 'sent before the restart: its escalation is sent inside the span');
  assert.equal(new FeedbackGate(scripted([]), p).exportSeries('s'), undefined);
  const g3 = new FeedbackGate(scripted([[0.3], [0.3]]), p);
  g3.importSeries('s', { value: { sent: false, reason: 'expected', event: { nope: 1 } }, '': 7, other: { sent: false, reason: 'expected', event: { state: 'firing', severity: 'warning', series: 's', tsMs: 0, value: 1, score: 0.5, expected: null, basis: 'fallback' } } });
  g3.importSeries('s', null);
  assert.equal(g3.observe('s', 3_600_001, 1, null, 'value').event, undefined, 'the malformed feature is not released');
  assert.equal(g3.observe('s', 3_600_001, 1, null, 'other').event?.heldUntilTs, 3_600_001);
});

test('an escalation on the first tick after a maintenance span releases the held alert as it started, at the escalated severity', () => {
  const p = policy();
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 60_000, channel: 'http', at: 0 });
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning', 'forecast']], [0.3], [0.95, ['firing', 'critical', 'volatility']]]), p);
  g.observe('s', 0, 1, null);
  g.observe('s', 60_000, 1, null);
  const e = g.observe('s', 120_000, 1, null).event;
  // ts and value of its real start; severity with the score (and view) that set it, not the first tick's warning score.
  assert.deepEqual([e?.tsMs, e?.severity, e?.score, e?.view, e?.heldUntilTs], [0, 'critical', 0.95, 'volatility', 120_000]);
});

test('an escalation held in a maintenance span carries its critical score: released after the span past a raised false-positive bar, as critical with that score', () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.7, verdict: 'false_positive', channel: 'http', at: 0 }); // bar ≈ 0.7 (the ceiling)
  p.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 120_000, channel: 'http', at: 0 });
  const g = new FeedbackGate(scripted([[0.5, ['firing', 'warning', 'forecast']], [0.95, ['firing', 'critical', 'volatility']], [0.3], [0.3], [0.1, ['resolved', 'critical']]]), p);
  const seen: AnomalyEvent[] = [];
  for (let t = 0; t < 5; t++) {
    const e = g.observe('s', t * 60_000, 1, null).event;
    if (e) seen.push(e);
  }
  assert.deepEqual(seen.map((e) => `${e.state}@${e.tsMs}/${e.severity}/${e.score}/${e.view ?? '-'}/${e.heldUntilTs ?? '-'}`), ['firing@0/critical/0.95/volatility/180000', 'resolved@240000/critical/0.1/-/-']);
});

test('a critical alert passes any false-positive bar, also when the tick it fires on scores below the critical threshold (debounce: an earlier tick of its window was critical)', async () => {
  // The real alert state: debounce 2 of 3, a critical tick then a warning one fires a critical alert with the warning tick's score.
  const { AlertState } = await import('../../../src/domain/anomaly/alert-state.ts');
  const rules = { warningThreshold: 0.4, criticalThreshold: 0.7, debounceN: 2, debounceM: 3, cooldownMs: 0, recoveryTicks: 1, resolveBelow: 0.2 };
  const st = new AlertState(rules);
  assert.equal(st.step(0.9, 0.9, 0), undefined);
  assert.deepEqual(st.step(0.5, 0.5, 60_000), { state: 'firing', severity: 'critical' });
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.6, verdict: 'false_positive', channel: 'http', at: 0 }); // bar 0.65, view-less
  const held: string[] = [];
  const g = new FeedbackGate(scripted([[0.9], [0.5, ['firing', 'critical']], [0.1, ['resolved', 'critical']], [0.55, ['firing', 'warning']], [0.1, ['resolved', 'warning']]]), p, { suppressed: (s, r) => held.push(`${s}:${r}`) });
  assert.deepEqual(run(g, 5), ['1:firing/critical', '2:resolved/critical'], 'the critical alert is sent; the warning under the bar is not');
  assert.deepEqual(held, ['s:false_positive']);
  // Held in a maintenance span, then released by an overrun past the raised bar: critical still passes.
  const q = policy();
  q.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.6, verdict: 'false_positive', channel: 'http', at: 0 });
  q.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 60_000, channel: 'http', at: 0 });
  const h = new FeedbackGate(scripted([[0.9], [0.5, ['firing', 'critical']], [0.3], [0.1, ['resolved', 'critical']]]), q);
  assert.deepEqual(run(h, 4), ['2:firing/critical', '3:resolved/critical']);
});

test('feedback off (no policy): nothing is held back, and a false-positive hold a snapshot brings back is released on the next tick, once', () => {
  const p = policy();
  p.apply({ alertId: 'x', series: 's', alertTs: 0, score: 0.5, verdict: 'false_positive', channel: 'http', at: 0 });
  const g1 = new FeedbackGate(scripted([[0.5, ['firing', 'warning']]]), p);
  assert.equal(g1.observe('s', 0, 1, null).event, undefined, 'held back by the raised bar');
  const saved = JSON.parse(JSON.stringify(g1.exportSeries('s')));
  const off = new FeedbackGate(scripted([[0.5], [0.5], [0.1, ['resolved', 'warning']]]), null);
  off.importSeries('s', saved);
  const e = off.observe('s', 60_000, 1, null).event;
  assert.deepEqual([e?.state, e?.tsMs, e?.heldUntilTs], ['firing', 0, 60_000], 'sent with its real start');
  assert.equal(off.observe('s', 120_000, 1, null).event, undefined, 'once');
  assert.equal(off.observe('s', 180_000, 1, null).event?.state, 'resolved', 'and its resolve is sent');
  assert.deepEqual(run(new FeedbackGate(scripted([[0.5, ['firing', 'warning']], [0.1, ['resolved', 'warning']]]), null), 2), ['0:firing/warning', '1:resolved/warning']);
});

test('feedback off: a restored hold stays held on quiet ticks (the replayed tail publishes nothing), escalations with it, and goes out on the first live one', () => {
  const held = { sent: false, reason: 'expected', event: { state: 'firing', severity: 'warning', series: 's', tsMs: 0, value: 1, score: 0.5, expected: null, basis: 'fallback' } };
  const off = new FeedbackGate(scripted([[0.5], [0.95, ['firing', 'critical']], [0.9], [0.9]]), null);
  off.importSeries('s', { '': held });
  assert.equal(off.observe('s', 60_000, 1, null, '', true).event, undefined, 'quiet: not released');
  assert.equal(off.observe('s', 120_000, 1, null, '', true).event, undefined, 'quiet: its escalation is held with it');
  assert.equal(off.size, 1);
  const e = off.observe('s', 180_000, 1, null, '', false).event;
  assert.deepEqual([e?.tsMs, e?.severity, e?.score, e?.heldUntilTs], [0, 'critical', 0.95, 180_000], 'live: released as it started, at the severity reached');
  assert.equal(off.observe('s', 240_000, 1, null).event, undefined, 'once');
});
