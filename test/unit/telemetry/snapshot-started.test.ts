/**
 * tickcast_snapshot_started_timestamp_seconds: when snapshots began on this process, the reference
 * TickcastSnapshotStale measures from until the first snapshot is written. Until 7 Dec 2026 the rule
 * fell back to process_start_time_seconds, which telemetry.defaultMetrics false leaves out: a pod
 * whose every snapshot failed from the start never alerted there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

const noneYet = () => ({ intervalMs: 60_000, last: null, failures: 3, replayed: { full: 0, window: 0 } });

test('with defaultMetrics false and no snapshot written yet, the scrape still says when snapshots began', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const before = (await metrics.registry.metrics());
  assert.doesNotMatch(before, /^tickcast_snapshot_started_timestamp_seconds /m, 'absent while snapshots are off');
  const from = Date.now() / 1000;
  metrics.watchSnapshots(noneYet);
  const text = await metrics.registry.metrics();
  assert.doesNotMatch(text, /^process_start_time_seconds /m);
  assert.doesNotMatch(text, /^tickcast_snapshot_last_success_timestamp_seconds /m);
  const started = Number(/^tickcast_snapshot_started_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
  assert.ok(started >= Math.floor(from) && started <= Date.now() / 1000, `started ${started}, watched from ${from}`);
});
