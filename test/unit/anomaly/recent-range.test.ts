/**
 * The never-seen rule at a recent time scale (recent-range.ts, tenth round): the block window's
 * range equals a brute-force one over the ticks it covers; a step to a level the series left long
 * ago scores 1 and names its view, while the all-time rule alone misses it (control); a series that
 * stays in its recent range scores as with the rule off; units do not matter; the state survives a
 * snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector, type AnomalyConfig } from '../../../src/domain/anomaly/index.ts';
import { RecentRange } from '../../../src/domain/anomaly/recent-range.ts';
import { SeriesState } from '../../../src/domain/anomaly/series-state.ts';
import { scoreTick } from '../../../src/domain/anomaly/tick-score.ts';
import { resolveAnomalyConfig } from '../../../src/domain/anomaly/config.ts';
import { mulberry32 } from '../../../src/eval/nab/rng.ts';
import { gauss } from '../../../src/model/random.ts';
import { restoredCopy } from '../../helpers/detector-snapshot.ts';

const STEP = 300_000;
const OFF: Partial<AnomalyConfig> = { recentRangeTicks: 0 };

test('the window: the last 20 whole blocks and the open one, min and max as a brute force gives them', () => {
  const r = mulberry32(4);
  for (const ticks of [1, 7, 500, 1001]) {
    const rr = new RecentRange(ticks);
    const block = Math.max(1, Math.ceil(ticks / 20));
    const xs: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = r() < 0.01 ? 100 * gauss(r) : gauss(r);
      rr.push(v);
      xs.push(v);
      const covered = Math.min(xs.length, 20 * block + (xs.length % block));
      assert.equal(rr.full, xs.length >= 20 * block, `full at ${i}`);
      const tail = xs.slice(xs.length - covered);
      assert.deepEqual(rr.range(), [Math.min(...tail), Math.max(...tail)], `ticks ${ticks}, value ${i}`);
    }
  }
});

/**
 * A noisy oscillation in [0, 10] at 5-minute ticks, an excursion to 100 at tick 400 (it widens the
 * all-time range for good), then a step to 40 at tick 2,400: inside the all-time range, far beyond
 * the recent one.
 */
function drift(seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: 2600 }, (_, i) => {
    const base = 5 + 5 * Math.sin((2 * Math.PI * i) / 48) + 0.3 * gauss(r);
    if (i >= 400 && i < 410) return 100;
    return i >= 2400 ? base + 35 : base;
  });
}

function run(xs: readonly number[], cfg: Partial<AnomalyConfig> = {}): { scores: number[]; views: string[] } {
  const c = resolveAnomalyConfig(cfg);
  const s = new SeriesState(c);
  const out = xs.map((v, i) => scoreTick(s, c, v, null, i * STEP));
  return { scores: out.map((t) => t.score), views: out.map((t) => t.view) };
}

test('a step to a level the series left long ago scores ≥ 0.9 and names the recent rule; the all-time rule alone does not see it', () => {
  const xs = drift(1);
  const on = run(xs);
  const off = run(xs, OFF);
  assert.ok(on.scores[2400] >= 0.9, `with the rule: ${on.scores[2400]}`);
  assert.equal(on.views[2400], 'never-seen-recent');
  const offMax = Math.max(...off.scores.slice(2400, 2420));
  assert.ok(offMax < 0.6, `control: without the rule the step peaks at ${offMax}`);
  assert.ok(!off.views.slice(2400, 2420).includes('never-seen-level'), 'control: the all-time rule does not fire');
});

test('a series that stays in its recent range scores exactly as with the rule off', () => {
  const r = mulberry32(2);
  const xs = Array.from({ length: 4000 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * gauss(r));
  assert.deepEqual(run(xs).scores, run(xs, OFF).scores);
});

test('invariant to units: x, 1024·x + 4096 and −x score the same with the rule firing', () => {
  const xs = drift(3);
  const base = run(xs).scores;
  assert.ok(base[2400] >= 0.9);
  for (const f of [(x: number) => 1024 * x + 4096, (x: number) => -x]) {
    const other = run(xs.map(f)).scores;
    const worst = Math.max(...other.map((v, i) => Math.abs(v - base[i])));
    assert.ok(worst < 1e-9, `largest difference ${worst}`);
  }
});

test('the recent range survives a snapshot: the restored detector scores the next ticks identically', () => {
  const xs = drift(5);
  const a = new AnomalyDetector();
  for (let i = 0; i < 2000; i++) a.observe('s', i * STEP, xs[i], null);
  const b = restoredCopy(a, 's');
  for (let i = 2000; i < xs.length; i++) assert.deepEqual(b.observe('s', i * STEP, xs[i], null), a.observe('s', i * STEP, xs[i], null), `tick ${i}`);
});
