/**
 * A feature that stops arriving (input.missingFeature 'carry': its series' ticks come without it)
 * while its alert fires: before 6 Dec 2026 the alert stayed open until the feature came back and
 * recovered or the whole series was evicted (docs/anomaly.md). Now the detector, the owner of each
 * feature's alert state, resolves it with reason `stale` once the feature's last value is more than
 * `staleFeatureMs` (event time) before a tick of its series without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertState, AnomalyDetector, type AlertRules, type AnomalyEvent } from '../../../src/domain/anomaly/index.ts';

const rules: AlertRules = { warningThreshold: 0.5, criticalThreshold: 0.8, debounceN: 2, debounceM: 3, cooldownMs: 0, recoveryTicks: 2, resolveBelow: 0.3 };

test('AlertState.stale(): a firing alert resolves at its severity and starts over with an empty debounce window; a normal one has nothing to resolve', () => {
  const a = new AlertState(rules);
  assert.equal(a.stale(), undefined, 'normal: nothing');
  a.step(0.9, 0.9, 0);
  assert.deepEqual(a.step(0.9, 0.9, 60_000), { state: 'firing', severity: 'critical' });
  assert.deepEqual(a.stale(), { state: 'resolved', severity: 'critical' });
  assert.equal(a.phase, 'normal');
  assert.equal(a.stale(), undefined, 'resolved once');
  // The hot ticks before the stale resolve do not count: 2 of 3 fresh hot ticks are needed.
  assert.equal(a.step(0.9, 0.9, 120_000), undefined);
  assert.deepEqual(a.step(0.9, 0.9, 180_000), { state: 'firing', severity: 'critical' });
});

const STEP = 60_000;
const calm = (i: number, phase: number): number => 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + phase) + 0.3 * Math.sin(i * 12.9898);

/** cpu and mem every minute; mem spikes at `spikeAt` (unless `spike` is 0) and is missing from every tick after it. */
function feed(det: AnomalyDetector, ticks: number, spikeAt: number, spike = 60): AnomalyEvent[] {
  const events: AnomalyEvent[] = [];
  for (let i = 0; i < ticks; i++) {
    const mem = i < spikeAt ? calm(i, 1) : i === spikeAt ? calm(i, 1) + spike : Number.NaN;
    for (const [f, v] of [['cpu', calm(i, 0)], ['mem', mem]] as const) {
      const o = det.observe('host', i * STEP, v, null, f);
      if (o.event) events.push(o.event);
    }
  }
  return events;
}

test('detector: a firing feature missing past staleFeatureMs resolves with reason stale at the first tick beyond it, its last value and score; the other feature is untouched', () => {
  const det = new AnomalyDetector({ staleFeatureMs: 30 * STEP });
  const events = feed(det, 700, 600);
  const mem = events.filter((e) => e.feature === 'mem').map((e) => [e.state, e.tsMs / STEP, e.reason ?? '']);
  assert.deepEqual(mem, [['firing', 600, ''], ['resolved', 631, 'stale']], 'resolved once, at the first tick more than 30 min after its last value');
  const resolved = events.find((e) => e.feature === 'mem' && e.state === 'resolved')!;
  const fired = events.find((e) => e.feature === 'mem' && e.state === 'firing')!;
  assert.ok(Math.abs(resolved.value - fired.value) < 1e-9, `the last value seen (${resolved.value} vs ${fired.value})`);
  assert.equal(resolved.severity, fired.severity);
  assert.equal(resolved.expected, null);
  assert.deepEqual(det.peek('host')?.firingFeatures, []);
  assert.ok(!events.some((e) => e.feature === 'cpu' && e.reason === 'stale'));
});

test('detector: staleFeatureMs 0 keeps the alert of a missing feature open (the behaviour before); a missing feature that is not firing resolves nothing', () => {
  const det = new AnomalyDetector({ staleFeatureMs: 0 });
  const events = feed(det, 900, 600);
  assert.deepEqual(events.filter((e) => e.feature === 'mem').map((e) => e.state), ['firing']);
  assert.deepEqual(det.peek('host')?.firingFeatures, ['mem']);
  // mem calm, then missing from tick 301 on, no alert of it open: no event at all for it.
  const quiet = new AnomalyDetector({ staleFeatureMs: STEP });
  const ev = feed(quiet, 500, 300, 0).filter((e) => e.feature === 'mem');
  assert.deepEqual(ev, []);
});

test('detector: a univariate series is never stale — a firing series whose next value comes after a long silence is judged on that value (idle eviction handles a series that stops)', () => {
  const det = new AnomalyDetector({ staleFeatureMs: 30 * STEP });
  const events: AnomalyEvent[] = [];
  const at = (i: number, v: number): void => {
    const o = det.observe('uni', i * STEP, v, null);
    if (o.event) events.push(o.event);
  };
  for (let i = 0; i < 600; i++) at(i, calm(i, 0));
  at(600, calm(600, 0) + 60);
  at(700, calm(700, 0) + 60); // 100 min later, still high: no stale resolve
  assert.deepEqual(events.map((e) => [e.state, e.tsMs / STEP, e.reason ?? '']), [['firing', 600, '']]);
});
