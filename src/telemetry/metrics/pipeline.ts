import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/**
 * Tick → forecast: from a Kafka record timestamp (ms resolution, so nothing under 1 ms), and a
 * consumer that lags, restarts or replays is seconds to minutes behind. Before 7 Dec 2026 this used
 * LATENCY_BUCKETS (top 5 s): every lagging tick fell in +Inf and histogram_quantile() reported 5 s
 * for any p99 beyond it. Up to 30 min, at most ×3 between bounds; older ticks count in +Inf only.
 */
const TICK_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Register `metric` afterwards: prom-client's constructor refuses exemplars on a text-format registry, though its text render leaves them out. */
function registered<M extends Histogram>(metric: M, registers: Registry[]): M {
  for (const reg of registers) reg.registerMetric(metric);
  return metric;
}

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * The streaming path: model calls and their batches, tick-to-forecast latency, series in memory,
 * backpressure. tickcast_inference_queue reads the batcher's depth at each scrape.
 */
export function pipelineMetrics(r: Registry[]) {
  let readQueue: (() => number) | null = null;
  return {
    /** Read tickcast_inference_queue from this function at each scrape (the batcher's live depth). */
    watchInferenceQueue(read: () => number): void {
      readQueue = read;
    },
    inferenceSeconds: new Histogram({ name: 'tickcast_inference_seconds', help: 'Model call duration per batch.', buckets: LATENCY_BUCKETS, registers: r }),
    batchQueueSeconds: new Histogram({ name: 'tickcast_batch_queue_seconds', help: 'Time the oldest window of a batch waited for the batch to start.', buckets: LATENCY_BUCKETS, registers: r }),
    batchSize: new Histogram({ name: 'tickcast_batch_size', help: 'Windows per model call.', buckets: BATCH_BUCKETS, registers: r }),
    // Exemplars (trace_id of the chunk's span, pipeline-observer.ts): OpenMetrics scrapes only (exposition.ts).
    tickToForecast: registered(new Histogram({ name: 'tickcast_tick_to_forecast_seconds', help: "From the tick's Kafka record timestamp (producer CreateTime, or broker append time with LogAppendTime topics) to its forecast being produced.", buckets: TICK_LATENCY_BUCKETS, enableExemplars: true, registers: [] }), r),
    seriesActive: new Gauge({ name: 'tickcast_series_active', help: 'Series with a window in memory.', registers: r }),
    seriesEvicted: new Counter({ name: 'tickcast_series_evicted_total', help: 'Series dropped from memory, by reason: cap (windows.maxSeries reached: the least recently seen went), idle (windows.idleEvictMs), removed (their input partition went to another instance), reset (POST /v1/series/{id}/reset).', labelNames: ['reason'] as const, registers: r }),
    pausedPartitions: new Gauge({ name: 'tickcast_paused', help: '1 while intake is paused for backpressure.', registers: r }),
    inferenceQueue: new Gauge({
      name: 'tickcast_inference_queue',
      help: 'Windows waiting for a model batch.',
      registers: r,
      collect() {
        if (readQueue) this.set(readQueue());
      },
    }),
  };
}
