import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertState, type AlertRules } from '../../../src/domain/anomaly/index.ts';

const rules = (o: Partial<AlertRules> = {}): AlertRules => ({
  warningThreshold: 0.5, criticalThreshold: 0.8, debounceN: 1, debounceM: 1,
  cooldownMs: 0, recoveryTicks: 2, resolveBelow: 0.3, ...o,
});

/** Feed scores one tick a minute; return "i:state/severity" for each transition. */
function run(a: AlertState, scores: number[], t0 = 0): string[] {
  const out: string[] = [];
  scores.forEach((s, i) => {
    const t = a.step(s, s, t0 + i * 60_000);
    if (t) out.push(`${i}:${t.state}/${t.severity}`);
  });
  return out;
}

test('fires on the first hot tick, resolves after recoveryTicks calm ticks', () => {
  assert.deepEqual(run(new AlertState(rules()), [0.1, 0.6, 0.4, 0.2, 0.2, 0.1]), ['1:firing/warning', '4:resolved/warning']);
});

test('debounce N of M: a lone spike does not fire, two within three ticks do', () => {
  const r = rules({ debounceN: 2, debounceM: 3 });
  assert.deepEqual(run(new AlertState(r), [0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1]), []);
  assert.deepEqual(run(new AlertState(r), [0.1, 0.9, 0.1, 0.6, 0.1, 0.1]), ['3:firing/critical', '5:resolved/critical']);
});

test('severity is critical when a debounce-window tick reaches the critical threshold; escalation re-fires', () => {
  assert.deepEqual(run(new AlertState(rules()), [0.95, 0.1, 0.1]), ['0:firing/critical', '2:resolved/critical']);
  assert.deepEqual(run(new AlertState(rules()), [0.6, 0.7, 0.9, 0.9, 0.1, 0.1]), ['0:firing/warning', '2:firing/critical', '5:resolved/critical']);
});

test('cooldown holds back a new firing of the same series for cooldownMs of event time', () => {
  const a = new AlertState(rules({ cooldownMs: 10 * 60_000 }));
  // fires at minute 0, resolves at 2, hot again at minute 4 (held back) and at minute 12 (fires).
  const scores = [0.9, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9];
  assert.deepEqual(run(a, scores), ['0:firing/critical', '2:resolved/critical', '12:firing/critical']);
});

test('recovery follows the undamped level, not the damped score', () => {
  const a = new AlertState(rules());
  assert.equal(a.step(0.9, 0.9, 0)?.state, 'firing');
  // damped score is low but the level stays high: still firing
  for (let i = 1; i < 10; i++) assert.equal(a.step(0.05, 0.7, i), undefined);
  assert.equal(a.phase, 'firing');
  a.step(0.05, 0.1, 10);
  assert.equal(a.step(0.05, 0.1, 11)?.state, 'resolved');
});

test('after a resolve, the hot ticks of the alert it resolved do not fire it again (debounceM > recoveryTicks)', () => {
  // 2 of 10 hot ticks fire; 3 calm ticks resolve. Before, the two hot ticks were still in the
  // debounce window after the resolve, so the next calm tick (score 0.1) fired a new critical alert.
  const r = rules({ debounceN: 2, debounceM: 10, recoveryTicks: 3 });
  assert.deepEqual(run(new AlertState(r), [0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]), ['1:firing/critical', '4:resolved/critical']);
  // A new anomaly after the resolve still needs N fresh hot ticks of its own.
  assert.deepEqual(run(new AlertState(r), [0.9, 0.9, 0.1, 0.1, 0.1, 0.6, 0.1, 0.6]), ['1:firing/critical', '4:resolved/critical', '7:firing/warning']);
});

test('clockBack: a firing stamped ahead (a fast tick) counts its cooldown from where the series stepped back onto its true clock; an earlier firing keeps its own', () => {
  const M = 60_000;
  const a = new AlertState(rules({ cooldownMs: 30 * M }));
  assert.equal(a.step(0.9, 0.9, 120 * M)?.state, 'firing'); // stamped 2 h ahead
  a.clockBack(1 * M); // the next tick is on the true clock
  assert.equal(a.step(0.1, 0.1, 1 * M), undefined);
  assert.equal(a.step(0.1, 0.1, 2 * M)?.state, 'resolved');
  assert.equal(a.step(0.9, 0.9, 20 * M), undefined, 'within 30 min of the step back');
  assert.equal(a.step(0.1, 0.1, 21 * M), undefined);
  assert.equal(a.step(0.9, 0.9, 32 * M)?.state, 'firing', '31 min after it, not 2 h 30 min');
  const b = new AlertState(rules({ cooldownMs: 30 * M }));
  b.step(0.9, 0.9, 0);
  b.clockBack(10 * M);
  b.step(0.1, 0.1, 10 * M);
  b.step(0.1, 0.1, 11 * M);
  assert.equal(b.step(0.9, 0.9, 31 * M)?.state, 'firing', 'a firing before the step back is not moved');
});
