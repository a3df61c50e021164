import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyLikelihood, LONG_START, logNormalTail } from '../../../src/domain/anomaly/likelihood.ts';

/** The likelihood as it was with a full-length long ring from the start: the reference the growing ring must match bit for bit. */
class FullRing {
  private readonly short: Float64Array;
  private shortSum = 0;
  private shortN = 0;
  private readonly long: Float64Array;
  private longSum = 0;
  private longSq = 0;
  private longN = 0;
  private ticks = 0;
  constructor(shortTicks: number, longTicks: number, private readonly minMean: number, private readonly minStd: number) {
    this.short = new Float64Array(shortTicks);
    this.long = new Float64Array(longTicks);
  }

  update(raw: number): number {
    const si = this.ticks % this.short.length;
    if (this.shortN === this.short.length) this.shortSum -= this.short[si]; else this.shortN++;
    this.short[si] = raw;
    this.shortSum += raw;
    const avg = this.shortSum / this.shortN;
    const li = this.ticks % this.long.length;
    if (this.longN === this.long.length) {
      const old = this.long[li];
      this.longSum -= old;
      this.longSq -= old * old;
    } else this.longN++;
    this.long[li] = avg;
    this.longSum += avg;
    this.longSq += avg * avg;
    this.ticks++;
    if (this.ticks % this.long.length === 0) {
      let s = 0;
      let q = 0;
      for (let i = 0; i < this.longN; i++) { s += this.long[i]; q += this.long[i] * this.long[i]; }
      this.longSum = s;
      this.longSq = q;
    }
    const mean = Math.max(this.minMean, this.longSum / this.longN);
    const variance = Math.max(0, this.longSq / this.longN - (this.longSum / this.longN) ** 2);
    const std = Math.max(this.minStd, Math.sqrt(variance));
    const z = (avg - mean) / std;
    return z <= 0 ? 0 : logNormalTail(z);
  }
}

const raw = (i: number): number => ((i * 7919) % 1000) / 1000 * (i % 97 === 0 ? 1 : 0.3);

test('the long ring starts at LONG_START entries, doubles as it fills, stops at longTicks, and scores as a full-length ring does', () => {
  const cap = 300; // not LONG_START × a power of two: the last growth is to the cap, not to 512
  const l = new AnomalyLikelihood(10, cap, 0.01, 0.01);
  const ref = new FullRing(10, cap, 0.01, 0.01);
  assert.equal(l.longLength, LONG_START);
  const lengths: number[] = [];
  for (let i = 0; i < 3 * cap + 17; i++) {
    assert.equal(Object.is(l.update(raw(i)), ref.update(raw(i))) ? 1 : 0, 1, `tick ${i}: the same bits as the full-length ring`);
    if (lengths[lengths.length - 1] !== l.longLength) lengths.push(l.longLength);
    if (i === LONG_START - 1) assert.equal(l.longLength, LONG_START, 'a full start ring has not grown yet');
  }
  assert.deepEqual(lengths, [LONG_START, 2 * LONG_START, cap], 'grown to 256, then to the cap (300), and no further through three wraps');
});

test('a ring whose cap is below LONG_START starts at the cap and never grows', () => {
  const l = new AnomalyLikelihood(2, 64, 0.01, 0.01);
  const ref = new FullRing(2, 64, 0.01, 0.01);
  for (let i = 0; i < 500; i++) assert.ok(Object.is(l.update(raw(i)), ref.update(raw(i))), `tick ${i}`);
  assert.equal(l.longLength, 64);
});

test('growTo (the snapshot hook): grows to a saved length up to the cap; refuses a longer or shorter one and other fields', () => {
  const l = new AnomalyLikelihood(10, 2000, 0.01, 0.01);
  assert.equal(l.growTo('long', 2001), null, 'beyond the cap: another config');
  assert.equal(l.growTo('short', 20), null, 'only the long ring grows');
  assert.equal(l.growTo('long', 1024)?.length, 1024);
  assert.equal(l.growTo('long', 512), null, 'never shrinks');
  assert.equal(l.growTo('long', 1024)?.length, 1024, 'the same length: itself');
});
