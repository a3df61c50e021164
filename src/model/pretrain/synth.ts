/**
 * Synthetic series for pretraining the shipped model (the KernelSynth idea, Chronos 2024): each
 * series is a random composition of a trend, one to three seasonalities (periods typical of
 * sampled sensor and business data), noise of a random level, level shifts, spikes and
 * random-walk segments. Seeded and pure: the same seed gives the same series on every machine, so
 * `npm run pretrain` is reproducible. No external data, so the weights carry no data licence.
 */
import { gauss, mulberry32 } from '../random.ts';

export interface SynthOptions {
  length: number;
  seed: number;
}

/** Periods to draw seasonalities from (steps): hourly-day/week, 5-min-hour/day, half-hour-day… */
const PERIODS = [7, 12, 24, 48, 60, 96, 144, 168, 288];

function addTrend(v: Float64Array, r: () => number): void {
  const n = v.length;
  const kind = r();
  const slope = gauss(r) * (2 / n);
  const curve = gauss(r) * (1 / (n * n));
  for (let t = 0; t < n; t++) v[t] += kind < 0.3 ? 0 : kind < 0.8 ? slope * t : slope * t + curve * (t - n / 2) ** 2;
}

function addSeasonality(v: Float64Array, r: () => number): void {
  const k = 1 + Math.floor(r() * 3);
  for (let s = 0; s < k; s++) {
    const period = PERIODS[Math.floor(r() * PERIODS.length)];
    const amp = 0.2 + r() * (s === 0 ? 1.5 : 0.7);
    const phase = r() * 2 * Math.PI;
    // Harmonics give non-sinusoidal daily shapes (peaks, plateaus).
    const h2 = r() * 0.5;
    const h3 = r() * 0.3;
    for (let t = 0; t < v.length; t++) {
      const a = (2 * Math.PI * t) / period + phase;
      v[t] += amp * (Math.sin(a) + h2 * Math.sin(2 * a + 1) + h3 * Math.sin(3 * a + 2));
    }
  }
}

function addEvents(v: Float64Array, r: () => number): void {
  const n = v.length;
  const shifts = r() < 0.4 ? 1 + Math.floor(r() * 3) : 0;
  for (let i = 0; i < shifts; i++) {
    const at = Math.floor(r() * n);
    const d = gauss(r) * 1.0;
    for (let t = at; t < n; t++) v[t] += d;
  }
  if (r() < 0.3) {
    // Random-walk segment.
    const a = Math.floor(r() * n);
    const b = Math.min(n, a + Math.floor(r() * n * 0.5));
    const step = 0.05 + r() * 0.15;
    let walk = 0;
    for (let t = a; t < n; t++) {
      if (t < b) walk += gauss(r) * step;
      v[t] += walk;
    }
  }
  const spikes = r() < 0.4 ? Math.floor(r() * 6) : 0;
  for (let i = 0; i < spikes; i++) v[Math.floor(r() * n)] += gauss(r) * 4;
}

/** One synthetic series of `length` values (not normalised). */
export function synthSeries(opts: SynthOptions): Float64Array {
  const r = mulberry32(opts.seed);
  const v = new Float64Array(opts.length);
  addTrend(v, r);
  addSeasonality(v, r);
  addEvents(v, r);
  const noise = [0.02, 0.1, 0.3, 0.6][Math.floor(r() * 4)];
  // AR(1) noise: sensor noise is rarely white.
  const phi = r() * 0.8;
  let e = 0;
  for (let t = 0; t < v.length; t++) {
    e = phi * e + gauss(r) * noise;
    v[t] += e;
  }
  return v;
}
