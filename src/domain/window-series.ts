/**
 * One series' window ring and normalisation statistics, owned by the window store
 * (window-store.ts); its seven typed arrays share one buffer (arena.ts).
 */
import { ArrayArena } from './arena.ts';

export class SeriesState {
  readonly values: Float32Array;
  readonly ts: Float64Array;
  head = 0; // next write slot
  count = 0; // ticks accepted in total
  lastTs = -Infinity;
  lastSeenMs = 0;
  sinceForecast = 0;
  intervalMs = 0; // EMA of tick spacing
  learned = 0; // ticks that entered the statistics
  held = 0; // consecutive ticks kept out of them
  learnedTs = Number.NaN; // timestamp of the last tick that entered them (undo: see unlearn)
  readonly prevMean: Float64Array; // statistics before that tick
  readonly prevM2: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array; // EW variance
  readonly last: Float64Array; // last accepted raw values (for carry-forward)

  constructor(window: number, features: number) {
    // One buffer for all seven arrays (src/domain/arena.ts: one allocation per series, not seven).
    const a = new ArrayArena(((window * features * 4 + 7) & ~7) + 8 * (window + 5 * features));
    this.values = a.f32(window * features);
    this.ts = a.f64(window);
    this.mean = a.f64(features);
    this.m2 = a.f64(features);
    this.prevMean = a.f64(features);
    this.prevM2 = a.f64(features);
    this.last = a.f64(features).fill(Number.NaN);
  }
}
