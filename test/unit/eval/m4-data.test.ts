/**
 * The M4 benchmark's loader (load/m4-data.ts): the three loss scales of `bench:m4 --scale`, on a
 * two-series file in the competition's ragged CSV layout, written here (tests never read ../shared).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadM4Hourly, M4_H, validationSeries } from '../../../load/m4-data.ts';

const N = 96;
/** H1: a multiplicative daily cycle on a slow trend (|Δ24| = 0.024 in ln units); H2: a steep ramp in a shorter (ragged) row. */
const h1 = Array.from({ length: N }, (_, t) => 100 * Math.exp(0.2 * Math.sin((2 * Math.PI * t) / 24) + 0.001 * t));
const h2 = Array.from({ length: N - 24 }, (_, t) => 50 + t);

function row(id: string, v: number[], width: number): string {
  return [`"${id}"`, ...v.map(String), ...Array(width - v.length).fill('')].join(',');
}

describe('M4 loader: loss scales', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-m4-'));
    const head = ['"V1"', ...Array.from({ length: N }, (_, i) => `"V${i + 2}"`)].join(',');
    await writeFile(join(dir, 'Hourly-train.csv'), [head, row('H1', h1, N), row('H2', h2, N)].join('\n') + '\n');
    const test = Array.from({ length: M4_H }, () => 1);
    await writeFile(join(dir, 'Hourly-test.csv'), [head, row('H1', test, M4_H), row('H2', test, M4_H)].join('\n') + '\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('level: ln(value) minus its mean, unscaled; series: divided by its std; joint: weighed by 1 + S/(100·M·d)', () => {
    const level = loadM4Hourly(dir, { log: true, scale: 'level' });
    const series = loadM4Hourly(dir, { log: true, scale: 'series' });
    const joint = loadM4Hourly(dir, { log: true, scale: 'joint' });
    assert.deepEqual(level.map((s) => s.id), ['H1', 'H2']);
    assert.equal(level[1].train.length, N - 24);
    for (let i = 0; i < 2; i++) {
      const ln = Array.from(level[i].train, Math.log);
      const mean = ln.reduce((a, b) => a + b, 0) / ln.length;
      const sd = Math.sqrt(ln.reduce((a, b) => a + (b - mean) ** 2, 0) / ln.length);
      let d = 0;
      for (let t = 24; t < ln.length; t++) d += Math.abs(ln[t] - ln[t - 24]);
      d /= ln.length - 24;
      const w = 1 + 9.328 / 100 / (0.893 * d);
      assert.equal(level[i].std, 1);
      assert.ok(Math.abs(series[i].std - sd) < 1e-12);
      assert.ok(Math.abs(joint[i].std - 1 / w) < 1e-12);
      for (const t of [0, 30, ln.length - 1]) {
        assert.ok(Math.abs(level[i].z[t] - (ln[t] - mean)) < 1e-5);
        assert.ok(Math.abs(joint[i].z[t] - (ln[t] - mean) * w) < 1e-4);
      }
    }
    // A smooth daily cycle (small |Δ24|) weighs more than a ramp (large |Δ24| in ln units): MASE's scale.
    assert.ok(1 / joint[0].std > 1 / joint[1].std);
  });

  it('the validation task holds out the last 48 training values as targets', () => {
    const [v] = validationSeries(loadM4Hourly(dir, { log: true, scale: 'joint' }));
    assert.equal(v.train.length, N - M4_H);
    assert.deepEqual(Array.from(v.test), h1.slice(N - M4_H));
    assert.equal(v.z.length, N - M4_H);
  });
});
