/** The analogue forecaster's ring against a plain brute-force reference over the whole history. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalogueForecaster } from '../../../src/domain/anomaly/analogue-forecaster.ts';
import { mulberry32 } from '../../../src/model/random.ts';

/** The definition, with no ring: the last `capacity` values, every earlier stretch compared. */
function reference(hist: readonly number[], capacity: number, m: number, k: number, exclude: number, relative: boolean): { p50: number; spread: number } | null {
  const x = hist.slice(-capacity);
  const size = x.length;
  if (size < m + k + 1 + exclude) return null;
  const q = x.slice(size - m);
  const qLast = q[m - 1];
  const cands: Array<{ d: number; v: number; j: number }> = [];
  for (let j = m; j < size - exclude; j++) {
    const off = relative ? x[j - 1] - qLast : 0;
    let d = 0;
    for (let c = 0; c < m; c++) d += (x[j - m + c] - off - q[c]) ** 2;
    cands.push({ d, v: x[j] - off, j });
  }
  cands.sort((a, b) => a.d - b.d || a.j - b.j);
  const v = cands.slice(0, k).map((c) => c.v).sort((a, b) => a - b);
  const p50 = k % 2 ? v[(k - 1) / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
  const dev = v.map((y) => Math.abs(y - p50)).sort((a, b) => a - b);
  return { p50, spread: dev[Math.floor((k - 1) / 2)] };
}

test('analogue forecaster: the same forecasts as the brute-force reference through several wraps of its ring', () => {
  for (const [m, k, exclude, relative] of [[4, 5, 0, false], [4, 5, 3, true], [7, 4, 0, true], [1, 3, 2, false]] as const) {
    const capacity = 64;
    const f = new AnalogueForecaster(capacity, m, k, exclude, relative);
    const rng = mulberry32(m * 31 + k);
    const hist: number[] = [];
    let compared = 0;
    for (let t = 0; t < 4 * capacity + 17; t++) {
      const want = reference(hist, capacity, m, k, exclude, relative);
      const got = f.forecast();
      if (want === null) assert.equal(got, null, `t ${t}`);
      else {
        assert.ok(got !== null, `t ${t}`);
        assert.ok(Math.abs(got.p50 - want.p50) < 1e-12 && Math.abs(got.spread - want.spread) < 1e-12, `m ${m} t ${t}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
        compared++;
      }
      const v = 10 * Math.sin(t / 5) + rng();
      f.push(v);
      hist.push(v);
      assert.equal(f.last(), v);
    }
    assert.ok(compared > 3 * capacity, `compared ${compared}`);
  }
});

test('analogue forecaster: its ring holds capacity + context values (not twice the capacity)', () => {
  const sizes: number[] = [];
  new AnalogueForecaster(512, 4, 5, 0, false, { f64: (n) => (sizes.push(n), new Float64Array(n)), f32: (n) => new Float32Array(n) });
  assert.equal(Math.max(...sizes), 516);
});
