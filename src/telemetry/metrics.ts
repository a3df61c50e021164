/**
 * Every Prometheus metric tickcast exports: `createMetrics` is the one entry point, and every name
 * is defined here or in ./metrics/ (one file per area, each a function that takes the registers
 * and returns its metrics; docs/metrics.md is the reference, and a test keeps the two in sync).
 * One registry per app, created in app.ts. Histograms, not summaries, so quantiles aggregate
 * across replicas. Until 7 Dec 2026 all of it was in this one file, at the 300-line limit.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { BUILD_INFO } from './build-info.ts';
import { bandQualityMetrics } from './metrics/band-quality.ts';
import { detectorMetrics } from './metrics/detector.ts';
import { feedbackMetrics } from './metrics/feedback.ts';
import { finetuneMetrics } from './metrics/finetune.ts';
import { fusionMetrics } from './metrics/fusion.ts';
import { inputMetrics } from './metrics/input.ts';
import { kafkaMetrics } from './metrics/kafka.ts';
import { modelMetrics } from './metrics/model.ts';
import { outputMetrics } from './metrics/output.ts';
import { pipelineMetrics } from './metrics/pipeline.ts';
import { snapshotMetrics } from './metrics/snapshot.ts';
import { threadMetrics } from './metrics/threads.ts';

export { httpMetrics, type HttpMetrics } from './metrics/http.ts';

export function createMetrics(opts: { defaultMetrics: boolean; registry?: Registry }) {
  const registry = opts.registry ?? new Registry();
  // Node's default process metrics under their standard names (process_*, nodejs_*), so stock
  // Node.js dashboards and alerts work unchanged.
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const r = [registry];
  new Gauge({ name: 'tickcast_build_info', help: 'Always 1; labels say which tickcast version runs on which Node.js.', labelNames: ['version', 'node_version'] as const, registers: r }).set(
    { version: BUILD_INFO.version, node_version: BUILD_INFO.nodeVersion },
    1,
  );
  // The order of the groups is the order of the series in a scrape (as before the split).
  return {
    registry,
    ...inputMetrics(r),
    ...outputMetrics(r),
    ...detectorMetrics(r),
    ...threadMetrics(r),
    ...fusionMetrics(r),
    ...kafkaMetrics(r),
    ...pipelineMetrics(r),
    ...modelMetrics(r),
    ...finetuneMetrics(r),
    // Alert feedback, incidents, band quality (issue 16)
    ...feedbackMetrics(r),
    ...bandQualityMetrics(r),
    // Series-state snapshots (issue 16): read from the snapshotter when Prometheus scrapes
    ...snapshotMetrics(r),
    // HTTP: httpMetrics() (./metrics/http.ts), made by the HTTP adapter on this registry.
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
