/**
 * A restart from a series-state snapshot after anomaly.features changed from `all` to `targets`:
 * the saved detector (and feedback gate) state of a feature no longer scored is not installed.
 * Before 6 Dec 2026 it was, and nothing ever observed or dropped it: ≈ 54 KiB per series per dropped
 * feature kept for good, written into every later snapshot. (Its open alert is resolved with
 * reason "reset" by TickAlerts: tick-alerts.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { captureSeries, checkSnapshot, restoreSeriesState, SeriesHomes, snapshotHead } from '../../../src/pipeline/snapshot/series-state.ts';

const identity = { topic: 't', groupId: 'g', window: 4, features: ['cpu', 'mem'] };
const offsets = new Map([[0, 3n]]);
const store = () => new WindowStore({ window: 4, features: 2, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });

/** A gate stand-in that records what it is given. */
function gate(saved?: Record<string, unknown>) {
  const got: Record<string, unknown> = {};
  return { got, exportSeries: () => saved, importSeries: (_s: string, v: unknown) => Object.assign(got, v) };
}

test('saved state of a feature no longer scored is not installed; the scored features\' is', () => {
  const det = new AnomalyDetector();
  const before = { store: store(), outlook: new SeriesOutlook(), detector: det, gate: gate({ cpu: { sent: true }, mem: { sent: true } }) };
  const parts = { ...before, homes: new SeriesHomes(before.store.registry) };
  for (let k = 0; k < 3; k++) {
    parts.store.push('s', k * 60_000, [1 + k, 2 + k], 0);
    det.observe('s', k * 60_000, 1 + k, null, 'cpu');
    det.observe('s', k * 60_000, 2 + k, null, 'mem');
  }
  parts.homes.note('s', 0);
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 's', offsets)!] })));
  const restore = (scored: readonly string[] | undefined) => {
    const after = { store: store(), outlook: new SeriesOutlook(), detector: new AnomalyDetector(), gate: gate() };
    const counts = restoreSeriesState({ ...after, ...(scored ? { scored } : {}), homes: new SeriesHomes(after.store.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
    assert.equal(counts.detectors, 1);
    return { features: Object.keys(after.detector.exportSeries('s') ?? {}), gate: Object.keys(after.gate.got), cpuScore: after.detector.peek('s')?.features.cpu?.lastScore };
  };
  assert.deepEqual(restore(['cpu']), { features: ['cpu'], gate: ['cpu'], cpuScore: 0 }, 'targets only: mem not installed');
  assert.deepEqual(restore(['cpu', 'mem']), { features: ['cpu', 'mem'], gate: ['cpu', 'mem'], cpuScore: 0 }, 'every feature');
  assert.deepEqual(restore(undefined).features, ['cpu', 'mem'], 'not told: every saved feature');
});
