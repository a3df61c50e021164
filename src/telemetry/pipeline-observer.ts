/**
 * Turns the core's events into metrics, and fans live events out to subscribers (dashboard SSE).
 * The per-series score gauge is bounded: only configured series, or the current top-k by score.
 */
import type { PipelineObserver, LiveEvent, AnomalyRecord } from '../pipeline/ports.ts';
import type { Metrics } from './metrics.ts';

export interface ObserverOptions {
  scoreGaugeSeries: readonly string[];
  scoreGaugeTopK: number;
}

export class TelemetryObserver implements PipelineObserver {
  readonly #m: Metrics;
  readonly #listeners = new Set<(e: LiveEvent) => void>();
  readonly #pinned: Set<string>;
  readonly #topK: number;
  readonly #exported = new Map<string, number>();

  constructor(metrics: Metrics, opts: ObserverOptions) {
    this.#m = metrics;
    this.#pinned = new Set(opts.scoreGaugeSeries);
    this.#topK = opts.scoreGaugeTopK;
  }

  tick(outcome: string): void {
    this.#m.ticks.inc({ result: outcome });
  }

  deadLetter(code: string): void {
    this.#m.deadLetters.inc({ code });
  }

  batch(size: number, seconds: number, wait: number): void {
    this.#m.batchSize.observe(size);
    this.#m.inferenceSeconds.observe(seconds);
    this.#m.batchQueueSeconds.observe(wait);
  }

  forecast(_series: string, seconds: number): void {
    this.#m.forecasts.inc();
    this.#m.tickToForecast.observe(seconds);
  }

  score(series: string, score: number): void {
    if (this.#pinned.size > 0) {
      if (this.#pinned.has(series)) this.#m.anomalyScore.set({ series }, score);
      return;
    }
    // Top-k by latest score: a series enters when it beats the smallest exported score.
    if (this.#exported.has(series) || this.#exported.size < this.#topK) {
      this.#exported.set(series, score);
      this.#m.anomalyScore.set({ series }, score);
      return;
    }
    let minId = '';
    let min = Infinity;
    for (const [id, s] of this.#exported) if (s < min) [min, minId] = [s, id];
    if (score > min) {
      this.#exported.delete(minId);
      this.#m.anomalyScore.remove({ series: minId });
      this.#exported.set(series, score);
      this.#m.anomalyScore.set({ series }, score);
    }
  }

  anomaly(rec: AnomalyRecord): void {
    if (rec.state === 'firing') this.#m.anomalies.inc({ severity: rec.severity });
    else this.#m.anomalyResolved.inc();
  }

  evicted(series: string): void {
    this.#m.seriesEvicted.inc();
    if (this.#exported.delete(series)) this.#m.anomalyScore.remove({ series });
  }

  backpressure(paused: boolean, queued: number): void {
    this.#m.pausedPartitions.set(paused ? 1 : 0);
    this.#m.inferenceQueue.set(queued);
  }

  lag(topic: string, partition: number, lag: number): void {
    this.#m.consumerLag.set({ topic, partition: String(partition) }, lag);
  }

  live(e: LiveEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // a broken subscriber must not break the pipeline
      }
    }
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}
