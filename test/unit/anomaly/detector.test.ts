import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AnomalyDetector, DEFAULT_ANOMALY_CONFIG, resolveAnomalyConfig, normalTail, logNormalTail, tailScore,
  type AnomalyEvent, type Expectation,
} from '../../../src/domain/anomaly/index.ts';
import { SeriesState } from '../../../src/domain/anomaly/series-state.ts';
import { scoreTick } from '../../../src/domain/anomaly/tick-score.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

/** Deterministic PRNG (LCG) and a standard normal from it. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}
/** A daily-cycle series at 5-minute steps (288 per day) with Gaussian noise. */
function cycle(n: number, noise: number, seed = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + noise * gauss(r));
}
const STEP = 300_000;

test('config: defaults are valid and frozen; every problem is reported at once with TC_CONFIG_INVALID', () => {
  assert.ok(Object.isFrozen(resolveAnomalyConfig()));
  assert.equal(resolveAnomalyConfig().warningThreshold, DEFAULT_ANOMALY_CONFIG.warningThreshold);
  try {
    resolveAnomalyConfig({ warningThreshold: 0.9, criticalThreshold: 0.5, debounceN: 4, debounceM: 3 });
    assert.fail('expected a config error');
  } catch (e) {
    assert.ok(isTickcastError(e));
    assert.equal(e.code, 'TC_CONFIG_INVALID');
    assert.match(e.message, /criticalThreshold \(0.5\) must be ≥ warningThreshold \(0.9\)/);
    assert.match(e.message, /debounceN \(4\) must be ≤ debounceM \(3\)/);
  }
});

test('normal tail and the log score match known values', () => {
  assert.ok(Math.abs(normalTail(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalTail(1.96) - 0.0249979) < 1e-6);
  assert.ok(Math.abs(normalTail(3) - 0.0013499) < 1e-6);
  assert.ok(Math.abs(logNormalTail(10) - Math.log(7.6199e-24)) < 0.05); // far tail: relative error of A&S 7.1.26
  assert.ok(Math.abs(tailScore(Math.log(1e-5)) - 0.5) < 1e-12);
  assert.ok(tailScore(logNormalTail(7)) < tailScore(logNormalTail(20)));
  assert.ok(tailScore(logNormalTail(40)) < 1);
});

test('a spike in a noisy daily cycle fires one alert within two ticks and recovers; ordinary ticks never fire', () => {
  const det = new AnomalyDetector();
  const xs = cycle(3000, 1);
  xs[2500] += 25;
  const events: string[] = [];
  const scores = xs.map((v, i) => {
    const o = det.observe('s', i * STEP, v, null);
    if (o.event) events.push(`${i}:${o.event.state}`);
    return o.score;
  });
  const spike = Math.max(...scores.slice(2500, 2503));
  const ordinary = Math.max(...scores.slice(DEFAULT_ANOMALY_CONFIG.learningTicks, 2500));
  assert.ok(spike >= DEFAULT_ANOMALY_CONFIG.warningThreshold, `spike scored ${spike}`);
  assert.ok(ordinary < DEFAULT_ANOMALY_CONFIG.warningThreshold, `max ordinary score ${ordinary}`);
  const firing = events.filter((e) => e.endsWith('firing'));
  assert.equal(firing.length, 1, events.join(' '));
  assert.ok(['2500:firing', '2501:firing', '2502:firing'].includes(firing[0]), firing[0]);
  assert.ok(events.some((e) => e.endsWith('resolved')), `no recovery event in ${events}`);
  assert.ok(scores.slice(0, DEFAULT_ANOMALY_CONFIG.learningTicks).every((s) => s === 0));
});

test('causal: the score of a tick does not depend on later ticks', () => {
  const a = cycle(1200, 1, 3);
  const b = [...a];
  for (let i = 900; i < b.length; i++) b[i] += 100;
  const run = (xs: number[]): number[] => {
    const det = new AnomalyDetector();
    return xs.map((v, i) => det.observe('s', i * STEP, v, null).score);
  };
  const sa = run(a);
  const sb = run(b);
  assert.deepEqual(sa.slice(0, 900), sb.slice(0, 900));
  assert.ok(sb[900] > sa[900]);
});

test('a noisy and a quiet series alert at comparable (low) rates', () => {
  const rate = (xs: number[]): number => {
    const det = new AnomalyDetector();
    let hot = 0;
    xs.forEach((v, i) => { if (det.observe('s', i * STEP, v, null).score >= 0.5) hot++; });
    return hot / (xs.length - DEFAULT_ANOMALY_CONFIG.learningTicks);
  };
  const quiet = cycle(6000, 0.01, 5);
  const noisy = cycle(6000, 8, 6);
  const rq = rate(quiet);
  const rn = rate(noisy);
  assert.ok(rq < 0.002 && rn < 0.002, `alert-level rates quiet=${rq} noisy=${rn}`);
});

test('model view: a value outside a narrow band scores higher than the same value against a wide band', () => {
  const scoreWith = (band: (p50: number) => Expectation): number => {
    // The never-seen rules (level all-time and recent, residual of the fallback forecaster) and the seasonal view (which
    // sees this spike on its own) are off: this is the band alone.
    const det = new AnomalyDetector({ modelWeight: 1, rangeTolerance: 0, recentRangeTicks: 0, residualTolerance: 0, seasonalView: false });
    const r = rng(9);
    let last = 0;
    for (let i = 0; i < 1500; i++) {
      const p50 = 10 + Math.sin(i / 20);
      const v = i === 1400 ? p50 + 3 : p50 + 0.1 * gauss(r);
      last = det.observe('m', i * STEP, v, band(p50)).score;
      if (i === 1400) return last;
    }
    return last;
  };
  const narrow = scoreWith((p) => ({ lower: p - 0.13, p50: p, upper: p + 0.13 }));
  const wide = scoreWith((p) => ({ lower: p - 10, p50: p, upper: p + 10 }));
  assert.ok(narrow > 0.5 && wide < 0.1, `narrow=${narrow} wide=${wide}`);
});

test('firing events carry the expectation they were judged against and their basis', () => {
  const det = new AnomalyDetector({ rangeTolerance: 0 });
  const xs = cycle(3000, 1, 2);
  xs[2500] += 30;
  let ev: AnomalyEvent | undefined;
  xs.forEach((v, i) => {
    const p50 = 50 + 20 * Math.sin((2 * Math.PI * i) / 288);
    const o = det.observe('s', i * STEP, v, i >= 800 ? { lower: p50 - 1.28, p50, upper: p50 + 1.28 } : null);
    if (o.event?.state === 'firing') ev = o.event;
  });
  assert.ok(ev);
  assert.equal(ev.basis, 'model');
  const at = ev.tsMs / STEP;
  const p50 = 50 + 20 * Math.sin((2 * Math.PI * at) / 288);
  assert.deepEqual(ev.expected, { lower: p50 - 1.28, p50, upper: p50 + 1.28 });
  assert.ok(ev.tsMs >= 2500 * STEP && ev.tsMs <= 2502 * STEP, `fired at tick ${ev.tsMs / STEP}`);
});

test('state is bounded: forget() drops a series, maxSeries evicts the least recently observed', () => {
  const det = new AnomalyDetector({ maxSeries: 3 });
  for (const s of ['a', 'b', 'c']) det.observe(s, 0, 1, null);
  det.observe('a', STEP, 1, null); // a is now the most recent; b is the LRU
  det.observe('d', STEP, 1, null);
  assert.equal(det.size, 3);
  assert.equal(det.peek('b'), undefined);
  assert.equal(det.peek('a')?.ticks, 2);
  assert.equal(det.forget('a'), true);
  assert.equal(det.forget('a'), false);
  assert.equal(det.size, 2);
});

test('non-finite values are ignored (no state change, last score repeated)', () => {
  const det = new AnomalyDetector();
  det.observe('s', 0, 1, null);
  assert.deepEqual(det.observe('s', STEP, Number.NaN, null), { score: 0 });
  assert.equal(det.peek('s')?.ticks, 1);
});

test('an over-confident model band (one side equal to the median) still lets a real spike stand out', () => {
  const det = new AnomalyDetector({ rangeTolerance: 0 });
  const xs = cycle(2500, 1, 4);
  xs[2300] += 25;
  let hot = 0;
  let spike = 0;
  xs.forEach((v, i) => {
    const p50 = 50 + 20 * Math.sin((2 * Math.PI * i) / 288);
    // upper = p50: taken literally, any value above the median would be infinitely surprising,
    // so a real spike above it would look like every other tick above the median.
    const s = det.observe('s', i * STEP, v, { lower: p50 - 1.28, p50, upper: p50 }).score;
    if (i >= 2300 && i <= 2302) spike = Math.max(spike, s);
    else if (s >= DEFAULT_ANOMALY_CONFIG.warningThreshold) hot++;
  });
  assert.ok(spike >= DEFAULT_ANOMALY_CONFIG.warningThreshold, `spike scored ${spike}`);
  assert.ok(hot <= 3, `${hot} ordinary ticks at warning level`);
  assert.throws(() => new AnomalyDetector({ modelCombine: 'avg' as never }), /modelCombine must be 'mean', 'min' or 'max'/);
});

test('scores do not depend on the units of a series: x and 1e-3·x + 5e3 (or −x) score the same', () => {
  const xs = cycle(2000, 2, 8);
  xs[1500] += 40;
  const run = (f: (v: number) => number): number[] => {
    const det = new AnomalyDetector();
    return xs.map((v, i) => det.observe('s', i * STEP, f(v), null).score);
  };
  const a = run((v) => v);
  const b = run((v) => v * 1e-3 + 5e3);
  const c = run((v) => -v);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) < 1e-9, `tick ${i}: ${a[i]} vs ${b[i]}`);
    assert.ok(Math.abs(a[i] - c[i]) < 1e-9, `tick ${i}: ${a[i]} vs ${c[i]}`);
  }
  assert.ok(Math.max(...a.slice(1500, 1503)) >= DEFAULT_ANOMALY_CONFIG.warningThreshold);
});

test('never-seen level: a growing daily cycle makes new highs the forecaster expected without firing; a jump off the range still fires', () => {
  const r = rng(3);
  const xs = Array.from({ length: 1000 }, (_, i) => Math.exp(i / 200) * (100 + 50 * Math.sin((2 * Math.PI * i) / 24) + 2 * gauss(r)));
  const fired = (o: object, v: readonly number[]): number[] => {
    const cfg = resolveAnomalyConfig({ seasonalView: false, ...o });
    const s = new SeriesState(cfg);
    return v.map((x, i) => (scoreTick(s, cfg, x, null).view === 'never-seen-level' ? i : -1)).filter((i) => i >= 0);
  };
  // Control: without the residual condition the rule fires on the growth's ordinary new highs.
  assert.ok(fired({ rangeMinResidual: 0 }, xs).length >= 10);
  assert.deepEqual(fired({}, xs), []);
  const jump = xs.slice(0, 800);
  jump[700] = 3 * Math.max(...xs.slice(0, 700));
  assert.deepEqual(fired({}, jump), [700]);
});

test('gaps: a trending daily cycle back from outages (it moved meanwhile) stays calm; a spike after an outage still fires', () => {
  // Hourly, a daily cycle on a trend of 0.5 per hour; a 32-hour outage every 250 hours.
  const r = rng(29);
  const ts: number[] = [];
  const xs: number[] = [];
  for (let h = 0; h < 3000; h++) {
    if (h % 250 > 217) continue;
    ts.push(h * 3_600_000);
    xs.push(0.5 * h + 10 * Math.sin((2 * Math.PI * h) / 24) + gauss(r));
  }
  const scores = (o: object, v: readonly number[]): number[] => {
    const det = new AnomalyDetector(o);
    return v.map((x, i) => det.observe('g', ts[i], x, null).score);
  };
  const noisy = (sc: readonly number[]): number => sc.filter((x, i) => i >= 400 && x >= 0.3).length;
  const blind = noisy(scores({ gapFactor: 0 }, xs));
  const aware = noisy(scores({}, xs));
  assert.ok(blind >= 8, `control: without gap handling the outages score ≥ 0.3 on ${blind} ticks`);
  assert.ok(aware <= 2, `with gap handling: ${aware} ticks ≥ 0.3`);
  // Spikes after an outage are still news: a large one at once, while the forecaster's context
  // still spans the gap (residuals ÷ √33 there), a small one once it no longer does.
  const after = ts.findIndex((t, i) => i > 1500 && t - ts[i - 1] > 3_600_000);
  const spiked = (k: number, by: number): number => {
    const v = [...xs];
    v[after + k] += by;
    return scores({}, v)[after + k];
  };
  assert.ok(spiked(2, 200) >= 0.5);
  assert.ok(spiked(6, 60) >= 0.5);
});

test('gaps: a late tick (older event time) does not make the next one look like the end of a gap', () => {
  const cfg = resolveAnomalyConfig({});
  const s = new SeriesState(cfg);
  const xs = cycle(600, 1, 13);
  xs.forEach((x, i) => {
    const ts = i === 500 ? (i - 40) * 60_000 : i * 60_000; // tick 500 carries a timestamp 40 minutes old
    scoreTick(s, cfg, x, null, ts);
    assert.equal(s.gaps.ticksLeft, 0, `tick ${i}`);
  });
  // A real gap is seen.
  scoreTick(s, cfg, xs[599], null, 700 * 60_000);
  assert.equal(s.gaps.ticksLeft, cfg.contextTicks);
});

test('observe reports the gap a tick ended (typical intervals since the previous tick), and nothing otherwise', () => {
  const det = new AnomalyDetector({});
  const xs = cycle(400, 1, 3);
  const gaps = xs.map((x, i) => det.observe('s', (i < 300 ? i : i + 29) * 60_000, x, null).gap);
  assert.deepEqual(gaps.flatMap((g, i) => (g === undefined ? [] : [[i, Math.round(g)]])), [[300, 30]]);
  assert.equal(new AnomalyDetector({ gapFactor: 0 }).observe('s', 0, 1, null).gap, undefined);
});
