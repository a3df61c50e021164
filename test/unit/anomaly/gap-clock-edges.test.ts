/**
 * The gap clock's edge cases of event time (gap-clock.ts): a first interval from a reset clock, a
 * change of cadence, and a step back onto the true clock after a tick stamped ahead — each must
 * leave the clock seeing gaps and missed readings as soon as the feed's real spacing is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { CADENCE_RUN, GapClock, GRID_SHARE } from '../../../src/domain/gap-clock.ts';
import { mulberry32 } from '../../../src/eval/nab/index.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 6);

test('a reset clock: a first reading stamped 2000-01-01 does not make 27 years the typical interval; an outage 20 ticks later is a gap', () => {
  const c = new GapClock();
  c.tick(Date.UTC(2000, 0, 1), 3, 4);
  let t = NOW;
  for (let i = 0; i < 20; i++) c.tick((t += MIN), 3, 4);
  assert.ok(Math.abs(c.typicalMs / MIN - 1) < 0.05, `typical interval ${c.typicalMs} ms`);
  assert.ok(c.tick((t += 10 * MIN), 3, 4).intervals > 9, 'a 10-minute outage ends a gap');
  // Through the detector: the outage is reported.
  const d = new AnomalyDetector();
  d.observe('s', Date.UTC(2000, 0, 1), 1, null);
  t = NOW;
  for (let i = 0; i < 20; i++) d.observe('s', (t += MIN), 1 + (i % 2) * 0.1, null);
  assert.ok((d.observe('s', (t += 10 * MIN), 1, null).gap ?? 0) > 9);
});

test('a second interval longer than the first is learned in 5 % steps as before (an outage right after the first reading is a gap)', () => {
  const c = new GapClock();
  c.tick(0, 3, 4);
  c.tick(MIN, 3, 4);
  assert.ok(c.tick(MIN + 10 * MIN, 3, 4).intervals > 9);
  assert.ok(c.typicalMs < 1.1 * MIN);
});

test('a new cadence on a clock (every 60 s, then every 10 s) is the typical interval after CADENCE_RUN ticks; an outage right after is a gap; no reading is reported missed', () => {
  const c = new GapClock();
  let t = 0;
  for (let i = 0; i < 200; i++) c.tick((t += MIN), 3, 4);
  let missed = 0;
  for (let i = 0; i < CADENCE_RUN; i++) missed += c.tick((t += MIN / 6), 3, 4).missed;
  assert.ok(Math.abs((c.typicalMs * 6) / MIN - 1) < 0.1, `typical ${c.typicalMs} ms`);
  for (let i = 0; i < 7; i++) missed += c.tick((t += MIN / 6), 3, 4).missed;
  assert.equal(missed, 0);
  assert.ok(c.onGrid >= GRID_SHARE, 'on its clock again');
  assert.ok(c.tick((t += MIN), 3, 4).intervals > 5, 'a minute without readings at the new cadence is a gap');
});

test('a slower cadence (every 10 s, then every 60 s) ends CADENCE_RUN − 1 gaps, not 14', () => {
  const c = new GapClock();
  let t = 0;
  for (let i = 0; i < 200; i++) c.tick((t += MIN / 6), 3, 4);
  let gaps = 0;
  for (let i = 0; i < 40; i++) gaps += c.tick((t += MIN), 3, 4).intervals > 0 ? 1 : 0;
  assert.equal(gaps, CADENCE_RUN - 1);
  assert.ok(Math.abs(c.typicalMs / MIN - 1) < 0.05);
});

test('outages of different lengths, or on a feed with no clock, are no new cadence', () => {
  const c = new GapClock();
  let t = 0;
  for (let i = 0; i < 200; i++) c.tick((t += MIN), 3, 4);
  for (const n of [5, 8, 12]) assert.ok(c.tick((t += n * MIN), 3, 4).intervals > 4);
  assert.ok(c.typicalMs < 1.2 * MIN, `typical ${c.typicalMs}`);
  // Random event times: three short intervals in a row happen by chance, and change nothing.
  const r = mulberry32(3);
  const events = new GapClock();
  const typical: number[] = [];
  t = 0;
  for (let i = 0; i < 5000; i++) {
    events.tick((t += -Math.log(1 - r()) * MIN), 3, 4);
    if (i > 500) typical.push(events.typicalMs);
  }
  assert.ok(Math.min(...typical) > 0.3 * MIN, `the typical interval never fell to ${Math.min(...typical)} ms`);
});

test('a step back onto the true clock: the detector\'s gap clock goes on from it, so an outage before real time catches up with the fast stamp is a gap', () => {
  const d = new AnomalyDetector();
  let t = NOW;
  for (let i = 0; i < 100; i++) d.observe('s', (t += MIN), 1 + (i % 3) * 0.1, null);
  d.observe('s', t + 60 * MIN, 1, null); // stamped an hour ahead
  d.stepBack('s', (t += MIN));
  assert.equal(d.observe('s', t, 1, null).gap, undefined, 'the step back itself ends no gap');
  for (let i = 0; i < 5; i++) assert.equal(d.observe('s', (t += MIN), 1.1, null).gap, undefined, 'nor the ticks after it');
  assert.ok((d.observe('s', (t += 10 * MIN), 1, null).gap ?? 0) > 9, 'a 10-minute outage 7 minutes after the step back is a gap');
});
