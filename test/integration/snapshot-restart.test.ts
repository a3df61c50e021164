/**
 * Restart from a series-state snapshot, through the real broker and the real app: the snapshot
 * taken mid-stream is loaded at start, only the records after its offsets are replayed (as state,
 * without output), and the state that comes out is identical to the state of the instance that
 * never stopped. A corrupt snapshot is ignored and the plain window replay takes over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_WINDOW } from '../helpers/app.ts';
import { produce, tickStream } from '../helpers/kafka.ts';
import { startRestartRig } from '../helpers/restart-rig.ts';
import { decodeSnapshot } from '../../src/pipeline/snapshot/codec.ts';
import type { SnapshotTree } from '../../src/pipeline/snapshot/series-state.ts';
import { isCold } from '../helpers/forecasts.ts';
import { until } from '../helpers/poll.ts';

/** Distinct (series, ts) model forecasts (cold-start baseline forecasts left out). */
const distinct = (items: { value: Buffer | null }[]) =>
  new Set(items.map((f) => JSON.parse(String(f.value))).filter((v) => !isCold(v)).map((v) => `${v.series}@${v.ts}`)).size;

/**
 * Deep equality in which two numbers may differ by a relative 1e-6; keys, lengths, strings and
 * offsets must be equal. Why not exact: the detector's model-error average (`modelErr`) is fed by
 * ONNX forecasts, and onnxruntime picks its GEMM kernel by batch size, so a window batched
 * differently in the tail replay than live can differ in the last float32 bit (seen in CI:
 * modelErr 0.8294394967 vs 0.8294394942). A lost or doubled tick moves counts, rings and sums by
 * far more than that.
 */
function assertSameState(actual: unknown, expected: unknown, at = '$'): void {
  if (typeof actual === 'number' && typeof expected === 'number') {
    // NaN on both sides is the same state (fusion keeps NaN for a baseline with no path).
    const ok = Object.is(actual, expected) || actual === expected || Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(actual), Math.abs(expected));
    assert.ok(ok, `${at}: ${actual} ≠ ${expected}`);
    return;
  }
  if (ArrayBuffer.isView(actual) && ArrayBuffer.isView(expected)) {
    assert.equal(actual.constructor, expected.constructor, `${at}: array type`);
    return assertSameState(Array.from(actual as unknown as ArrayLike<number>), Array.from(expected as unknown as ArrayLike<number>), at);
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    assert.equal(Array.isArray(actual), Array.isArray(expected), `${at}: array vs object`);
    const ka = Object.keys(actual);
    assert.deepEqual(ka, Object.keys(expected), `${at}: keys`);
    for (const k of ka) assertSameState((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`);
    return;
  }
  assert.equal(actual, expected, at);
}

/** A snapshot's content without its creation time, series sorted by id. */
function content(bytes: Buffer): Omit<SnapshotTree, 'createdAtMs'> {
  const t = decodeSnapshot(bytes) as SnapshotTree;
  return { identity: t.identity, offsets: t.offsets, series: [...t.series].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

test('restart with a snapshot replays only the tail and produces identical state; a corrupt one falls back to replay', { timeout: 300_000 }, async () => {
  const rig = await startRestartRig('snap', { tickPartitions: 3, watch: ['forecasts', 'anomalies', 'dlq'] });
  const { topics, producer, c, dir, config } = rig;
  const file = path.join(dir, 'model', 'series-state', 'series-state.snap');
  const S = 9;
  const [A, B, C] = [60, 30, 20];
  const stream = tickStream(S, A + B + C); // ordered by tick: S records per tick
  const part = (from: number, to: number) => stream.slice(from * S, to * S);
  const eligible = (n: number) => S * (n - TEST_WINDOW + 1);
  try {
    // 1. The instance that does not stop early: A, snapshot, B, stop (final snapshot).
    const app1 = await rig.start(config);
    await produce(producer, topics.ticks, part(0, A));
    await c.waitFor(() => distinct(c.of(topics.forecasts)) >= eligible(A), 60_000, 'forecasts for part A');
    const mid = await app1.snapshots!.snapshot();
    assert.equal(mid!.series, S);
    const midBytes = readFileSync(file);
    await produce(producer, topics.ticks, part(A, A + B));
    await c.waitFor(() => distinct(c.of(topics.forecasts)) >= eligible(A + B), 60_000, 'forecasts for part B');
    await app1.stop();
    const finalBytes = readFileSync(file);
    const forecastsBefore = c.of(topics.forecasts).length;

    // 2. Crash after the mid-stream snapshot: put it back, restart. Only part B is replayed.
    writeFileSync(file, midBytes);
    const app2 = await rig.start(config);
    await until(() => app2.snapshots!.replayed.full >= S * B, 60_000, 'the tail replay');
    await c.settle(1500);
    assert.deepEqual(app2.snapshots!.replayed, { full: S * B, window: 0 }, 'exactly the records after the snapshot offsets, nothing before');
    assert.equal(c.of(topics.forecasts).length, forecastsBefore, 'the tail replay produced no output');
    // Visible over REST (a listening server), as an agent tool's data and in /metrics.
    const st = await (await fetch(`${app2.address()}/v1/snapshots`)).json();
    assert.equal(st.start.loaded, true);
    assert.equal(st.start.series, S);
    assert.deepEqual(st.replayed, { full: S * B, window: 0 });
    assert.equal(st.last, null, 'no snapshot written by this instance yet');
    await app2.snapshots!.snapshot();
    const after = app2.serving.snapshotStatus!()!;
    assert.equal(after.last?.series, S);
    assert.equal(after.last?.bytes, readFileSync(file).length);
    assert.equal(after.failures, 0);
    const prom = await (await fetch(`${app2.address()}/metrics`)).text();
    assert.match(prom, new RegExp(`^tickcast_snapshot_series ${S}$`, 'm'));
    assert.match(prom, new RegExp(`^tickcast_warmup_records_total\\{kind="full"\\} ${S * B}$`, 'm'));
    assert.match(prom, /^tickcast_snapshot_last_success_timestamp_seconds \d+(\.\d+)?$/m);
    // State after snapshot + tail = state of the instance that never stopped.
    assertSameState(content(readFileSync(file)), content(finalBytes));

    // 3. It goes on forecasting every new tick.
    await produce(producer, topics.ticks, part(A + B, A + B + C));
    await c.waitFor(() => distinct(c.of(topics.forecasts)) >= eligible(A + B + C), 60_000, 'forecasts for part C after the restore');
    await app2.stop();

    // 4. A corrupt snapshot is ignored (logged): the plain window replay rebuilds the windows.
    const bad = readFileSync(file);
    bad[bad.length - 5] ^= 0xff;
    writeFileSync(file, bad);
    const app3 = await rig.start(config);
    await until(() => app3.snapshots!.replayed.window > 0, 60_000, 'the plain replay');
    assert.equal(app3.snapshots!.replayed.full, 0);
    const more = tickStream(S, 5, { t0: stream.length > 0 ? JSON.parse(stream[stream.length - 1].value).ts + 60_000 : 0 });
    await produce(producer, topics.ticks, more);
    await c.waitFor(() => distinct(c.of(topics.forecasts)) >= eligible(A + B + C) + S * 5, 60_000, 'forecasts after the fallback');
  } finally {
    await rig.close();
  }
});
