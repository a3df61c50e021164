import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

/** Bucket bounds of one histogram in a scrape, in order, +Inf left out. */
function bounds(text: string, name: string): number[] {
  return [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}`, 'gm'))].map((m) => m[1]).filter((b) => b !== '+Inf').map(Number);
}

test('tick→forecast latency of a lagging consumer (seconds to minutes) lands in a finite bucket, at most ×3 wide', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const text = await m.registry.metrics();
  const b = bounds(text, 'tickcast_tick_to_forecast_seconds');
  // histogram_quantile() cannot say more than "above the top bound" of what falls in +Inf.
  for (const seconds of [0.002, 0.3, 4, 42, 170, 540, 1500]) {
    const bucket = b.find((x) => x >= seconds);
    assert.ok(bucket !== undefined, `${seconds} s falls in +Inf (top bound ${b.at(-1)} s)`);
    assert.ok(bucket <= 3 * seconds, `${seconds} s lands in a bucket up to ${bucket} s`);
  }
  // The model call itself keeps its sub-millisecond resolution.
  assert.equal(bounds(text, 'tickcast_inference_seconds')[0], 0.0005);
});
