import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { declaredLength, decodeSnapshot, encodeSnapshot, fillFrom, fullArray, layoutSnapshot, sealSnapshot, toPlain } from '../../../src/pipeline/snapshot/codec.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { OpenHours } from '../../../src/domain/open-hours.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { captureSeries, checkSnapshot, detectorFingerprint, restoreSeriesState, SeriesHomes, snapshotHead } from '../../../src/pipeline/snapshot/series-state.ts';
import { ForecastFusion } from '../../../src/domain/fusion/forecast-fusion.ts';
import type { ForecastStep } from '../../../src/domain/types.ts';

const tree = () => ({
  a: new Float32Array([1.5, -2, Number.NaN]),
  b: { c: new Float64Array([Math.PI, Infinity]), n: -Infinity, s: 'x', z: null },
  list: [1, 2, { d: new Float64Array(3).fill(7) }],
  // Trailing zeros are not stored but come back; −0 is kept as −0.
  zeros: new Float64Array(1000),
  tail: Float64Array.from([5, 0, -0, 0, 0]),
});

test('round trip: typed arrays, non-finite numbers, nesting', () => {
  const back = decodeSnapshot(Buffer.concat(encodeSnapshot(tree()))) as ReturnType<typeof tree>;
  assert.deepEqual(back, tree());
  assert.ok(back.a instanceof Float32Array && back.b.c instanceof Float64Array);
  assert.ok(Object.is(back.tail[2], -0) && back.zeros.length === 1000);
  const sparse = Buffer.concat(encodeSnapshot({ ring: new Float64Array(100_000) })).length;
  assert.ok(sparse < 1000, `an empty ring costs no blob bytes (${sparse} bytes in all)`);
});

test('a copied layout (taken while the pipeline is held) is the same file and does not change with the live arrays', () => {
  const live = tree();
  const copied = sealSnapshot(layoutSnapshot(live, true));
  assert.ok(Buffer.concat(copied).equals(Buffer.concat(encodeSnapshot(tree()))));
  live.b.c[0] = 42;
  live.tail[0] = 7;
  assert.deepEqual(decodeSnapshot(Buffer.concat(copied)), tree());
});

test('decoded as views: arrays share the file buffer and hold their stored elements; full length and padding come back', () => {
  const bytes = Buffer.concat(encodeSnapshot(tree()));
  const aligned = Buffer.from(new ArrayBuffer(bytes.length)); // byteOffset 0
  bytes.copy(aligned);
  const back = decodeSnapshot(aligned, { views: true }) as ReturnType<typeof tree>;
  assert.equal(back.b.c.buffer, aligned.buffer, 'a view, not a copy');
  assert.equal(back.zeros.length, 0, 'nothing stored for an all-zero ring');
  assert.equal(declaredLength(back.zeros), 1000);
  assert.equal(back.tail.length, 3, 'trailing +0 left out, -0 kept');
  assert.deepEqual(fullArray(back.tail), tree().tail);
  assert.deepEqual(fullArray(back.zeros), new Float64Array(1000));
  assert.equal(fullArray(back.b.c), back.b.c, 'a complete array is returned as is');
  // fillFrom pads with zeros, even over a target that was not fresh
  const target = { ring: new Float64Array(5).fill(9) };
  fillFrom(target, { ring: back.tail });
  assert.deepEqual(target.ring, tree().tail);
  assert.throws(() => fillFrom({ ring: new Float64Array(4) }, { ring: back.tail }), RangeError);
  // an unaligned buffer is decoded with copies instead
  const odd = Buffer.alloc(bytes.length + 1).subarray(1);
  bytes.copy(odd);
  assert.deepEqual(decodeSnapshot(odd, { views: true }), tree());
});

test('a flipped byte, a truncated file, a foreign file and another format version are refused with codes', () => {
  const bytes = Buffer.concat(encodeSnapshot(tree()));
  const flipped = Buffer.from(bytes);
  flipped[bytes.length - 3] ^= 0x40;
  assert.throws(() => decodeSnapshot(flipped), { code: 'TC_SNAPSHOT_CORRUPT', message: /checksum/ });
  assert.throws(() => decodeSnapshot(bytes.subarray(0, bytes.length - 8)), { code: 'TC_SNAPSHOT_CORRUPT' });
  assert.throws(() => decodeSnapshot(bytes.subarray(0, 20)), { code: 'TC_SNAPSHOT_CORRUPT' });
  assert.throws(() => decodeSnapshot(Buffer.from('{"hello":"world"}'.padEnd(64))), { code: 'TC_SNAPSHOT_CORRUPT', message: /magic/ });
  const v3 = Buffer.from(bytes);
  v3.writeUInt32LE(3, 8);
  assert.throws(() => decodeSnapshot(v3), { code: 'TC_SNAPSHOT_INCOMPATIBLE', message: /format 3/ });
});

test('the file store writes atomically (no temp file left) and reads back; missing → null', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-snap-'));
  try {
    const f = new SnapshotFile(path.join(dir, 'state'));
    assert.equal(await f.read(), null);
    const chunks = encodeSnapshot(tree());
    const n = await f.write(chunks);
    assert.equal(n, Buffer.concat(chunks).length);
    writeFileSync(path.join(dir, 'state', '.tmp-series-state.snap-1-1'), 'stray from a crash');
    await f.write(encodeSnapshot({ second: true }));
    assert.deepEqual(readdirSync(path.join(dir, 'state')), ['series-state.snap']);
    assert.deepEqual(decodeSnapshot((await f.read())!), { second: true });
    assert.ok(readFileSync(f.path).subarray(0, 6).equals(Buffer.from('TCSNAP')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detector state survives toPlain → file bytes → fillFrom: the restored detector scores the next ticks identically', () => {
  const a = new AnomalyDetector();
  const b = new AnomalyDetector();
  const v = (i: number) => 10 + Math.sin(i / 5) + (i === 700 ? 8 : 0);
  for (let i = 0; i < 600; i++) a.observe('s', i * 1000, v(i), i % 3 ? { lower: v(i) - 1, p50: v(i) + 0.1, upper: v(i) + 1 } : null);
  const saved = decodeSnapshot(Buffer.concat(encodeSnapshot(toPlain(a.exportSeries('s')!, new Set([a.config]))))) as Record<string, unknown>;
  b.importSeries('s', Object.keys(saved), (fresh) => fillFrom(fresh, saved));
  // The gap clock came back too: the first tick after the restore ends a gap of 20 intervals.
  const gaps = (d: AnomalyDetector): unknown => (d.exportSeries('s') as Record<string, { state: { gaps: unknown } }>)[''].state.gaps;
  assert.deepEqual(gaps(b), gaps(a));
  const { onGrid, hours, ...clock } = gaps(b) as { onGrid: number; hours: unknown };
  assert.deepEqual(clock, { lastTsMs: 599_000, typicalMs: 1000, divisor: 1, ticksLeft: 0, firstOnly: false, runMs: 0, run: 0 });
  assert.ok(hours instanceof OpenHours, 'the open hours come back as an OpenHours (anomaly.openHours, default on)');
  assert.ok(onGrid > 0.99, `a series read every second is on a grid: ${onGrid}`);
  const t = (i: number): number => (i + 20) * 1000;
  for (let i = 600; i < 800; i++) {
    const ra = a.observe('s', t(i), v(i), null);
    const rb = b.observe('s', t(i), v(i), null);
    assert.deepEqual(rb, ra, `tick ${i}`);
  }
  assert.ok(a.peek('s')!.ticks === 800 && b.peek('s')!.ticks === 800);
  const small = new AnomalyDetector({ historyTicks: 64 });
  assert.throws(() => small.importSeries('s', Object.keys(saved), (fresh) => fillFrom(fresh, saved)), RangeError, 'another config does not fit');
});

test('detector open hours survive a snapshot: after the restore a market night is still no gap and no missed reading', () => {
  const a = new AnomalyDetector();
  const b = new AnomalyDetector();
  const H = 3_600_000;
  const start = Date.UTC(2026, 0, 5, 6); // a Monday, 06:00 UTC
  const times: number[] = [];
  for (let d = 0; d < 6; d++) for (let h = 6; h < 24; h++) times.push(start + d * 24 * H + (h - 6) * H); // read 06:00–23:00 UTC
  const v = (i: number): number => 50 + 5 * Math.sin(i / 3);
  times.forEach((t, i) => a.observe('s', t, v(i), null));
  const saved = decodeSnapshot(Buffer.concat(encodeSnapshot(toPlain(a.exportSeries('s')!, new Set([a.config]))))) as Record<string, unknown>;
  b.importSeries('s', Object.keys(saved), (fresh) => fillFrom(fresh, saved));
  const next = start + 6 * 24 * H; // Sunday 06:00, after the night
  const ra = a.observe('s', next, v(times.length), null);
  const rb = b.observe('s', next, v(times.length), null);
  assert.deepEqual(rb, ra);
  assert.equal(ra.gap, undefined, 'a night the feed is never read in is no gap');
  assert.equal(ra.missed, undefined);
  // A detector that does not learn open hours takes the same night for an outage of 7 intervals.
  const c = new AnomalyDetector({ openHours: false });
  times.forEach((t, i) => c.observe('s', t, v(i), null));
  assert.ok(Math.abs(c.observe('s', next, v(times.length), null).gap! - 7) < 0.5);
});

test('restore: a detector state of another shape is not installed (that series starts fresh, its window is restored); a fitting one is', () => {
  const store = new WindowStore({ window: 8, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const det = new AnomalyDetector();
  const parts = { store, outlook: new SeriesOutlook(), detector: det, homes: new SeriesHomes(store.registry) };
  for (let i = 0; i < 400; i++) {
    for (const id of ['a', 'b']) {
      store.push(id, i * 1000, [Math.sin(i / 5)], 0);
      det.observe(id, i * 1000, Math.sin(i / 5), null);
      parts.homes.note(id, 0);
    }
  }
  const offsets = new Map([[0, 400n]]);
  const identity = { topic: 't', groupId: 'g', window: 8, features: ['value'] };
  const entries = ['a', 'b'].map((id) => captureSeries(parts, id, offsets)!);
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: entries }))) as ReturnType<typeof checkSnapshot>;
  // Series b's analogue ring saved in the old shape (2 × historyTicks): what a release before stateLayout 2 wrote.
  const bState = (tree.series[1].d as Record<string, { state: { forecaster: { buf: Float64Array } } }>)[''].state.forecaster;
  bState.buf = new Float64Array(2 * det.config.historyTicks);

  const store2 = new WindowStore({ window: 8, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const det2 = new AnomalyDetector();
  const restored = restoreSeriesState({ store: store2, outlook: new SeriesOutlook(), detector: det2, homes: new SeriesHomes(store2.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
  assert.deepEqual(restored, { series: 2, detectors: 1, unresolved: 0 });
  assert.equal(det2.peek('a')?.ticks, 400, 'the fitting detector state is installed');
  assert.equal(det2.peek('b'), undefined, 'the other shape is not: series b starts a fresh detector');
  assert.deepEqual(store2.exportSeries('b')?.values, store.exportSeries('b')?.values, 'series b keeps its window');
});

test('detector fingerprint: the same for the same config and layout (staleFeatureMs aside), another for another state layout', () => {
  const a = new AnomalyDetector();
  assert.equal(detectorFingerprint(a), detectorFingerprint(new AnomalyDetector()));
  assert.notEqual(detectorFingerprint(a), detectorFingerprint({ config: a.config, exportSeries: () => undefined, importSeries: () => {} }), 'layout 1 (a release before the ring change) differs');
  assert.notEqual(detectorFingerprint(a), detectorFingerprint(new AnomalyDetector({ historyTicks: 64 })));
  assert.equal(detectorFingerprint(a), detectorFingerprint(new AnomalyDetector({ staleFeatureMs: 60_000 })), 'staleFeatureMs changes no state (it follows windows.idleEvictMs): saved detectors still fit');
});

test('fusion state goes into the snapshot and comes back: the restored series serves what it did; another horizon starts afresh', () => {
  const store = new WindowStore({ window: 8, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const opts = { horizon: 4, targets: 1, quantiles: [0.1, 0.5, 0.9], halfLifeTicks: 50, minScoredTicks: 4, margin: 0.05, seasonTicks: 0 };
  const fusion = new ForecastFusion(opts);
  const parts = { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry), fusion };
  const buf = new Float64Array(8);
  const flat = (v: number) => [Array.from({ length: 4 }, (_, h) => ({ step: h + 1, ts: h, p10: v - 1, p50: v, p90: v + 1 }) as ForecastStep)];
  // A ramp the "model" forecasts flat: fusion moves it to drift.
  const serveAt = (f: ForecastFusion, i: number) => f.serve('r', 'v1', flat(i * 10), f.baselines((_, out) => (store.tail('r', 0, out)), 60_000, buf));
  for (let i = 0; i < 40; i++) {
    store.push('r', i * 60_000, [i * 10], 0);
    parts.homes.note('r', 0);
    fusion.realised('r', [i * 10], [0], 1);
    if (i >= 7) serveAt(fusion, i);
  }
  assert.equal(fusion.view('r', 'v1')?.served, 'baseline:drift');
  const offsets = new Map([[0, 40n]]);
  const identity = { topic: 't', groupId: 'g', window: 8, features: ['value'] };
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 'r', offsets)!] }))) as ReturnType<typeof checkSnapshot>;
  const restoreInto = (f: ForecastFusion) => {
    const s2 = new WindowStore({ window: 8, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
    restoreSeriesState({ store: s2, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(s2.registry), fusion: f }, checkSnapshot(tree, identity), new Set([0]), 0);
    return s2;
  };
  const back = new ForecastFusion(opts);
  restoreInto(back);
  assert.deepEqual(back.view('r', 'v1'), fusion.view('r', 'v1'));
  assert.deepEqual(back.servedCounts(), fusion.servedCounts());
  store.push('r', 40 * 60_000, [400], 0);
  for (const f of [fusion, back]) f.realised('r', [400], [0], 1);
  assert.deepEqual(serveAt(back, 40), serveAt(fusion, 40), 'the next forecast is the same');
  const other = new ForecastFusion({ ...opts, horizon: 6 });
  const s3 = restoreInto(other);
  assert.equal(other.view('r', 'v1'), undefined, 'saved for horizon 4: not installed for horizon 6');
  assert.equal(s3.ticks('r'), 40, 'the window is restored all the same');
});

test('the series outlook comes back whole: every target of a multi-target forecast (the next tick\'s expectations) and the forecast served in its place', () => {
  const store = new WindowStore({ window: 8, features: 2, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const outlook = new SeriesOutlook();
  const parts = { store, outlook, detector: null, homes: new SeriesHomes(store.registry) };
  for (let i = 0; i < 10; i++) store.push('m', i * 1000, [i, 2 * i], 0);
  parts.homes.note('m', 0);
  const steps = (v: number) => Array.from({ length: 3 }, (_, h) => ({ step: h + 1, ts: 10_000 + h * 1000, p10: v - 1, p50: v + h, p90: v + 1 }) as ForecastStep);
  const served = { ts: 9000, model: 'baseline:drift', horizon: steps(50), replaces: 'v1' };
  outlook.setForecast('m', { ts: 9000, model: 'v1', horizon: steps(10), targets: [steps(10), steps(20)] }, served);
  const offsets = new Map([[0, 10n]]);
  const identity = { topic: 't', groupId: 'g', window: 8, features: ['a', 'b'] };
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 'm', offsets)!] }))) as ReturnType<typeof checkSnapshot>;
  const s2 = new WindowStore({ window: 8, features: 2, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const back = new SeriesOutlook();
  restoreSeriesState({ store: s2, outlook: back, detector: null, homes: new SeriesHomes(s2.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
  assert.deepEqual(back.peek('m')?.served, served, 'the view shows the served forecast, as before the restart');
  assert.deepEqual(back.nextExpectations('m'), outlook.nextExpectations('m'), 'both targets have their expectation for the next tick');
  assert.equal(back.nextExpectations('m')?.length, 2);
});

/** Every growing ring in a plain detector tree: the likelihoods' `long` (length `longCap`), the seasonal view's `ring` (`cap`). */
function growing(node: unknown, out: Array<{ o: Record<string, unknown>; ring: string; cap: string }> = []): Array<{ o: Record<string, unknown>; ring: string; cap: string }> {
  if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return out;
  const o = node as Record<string, unknown>;
  if (o.long instanceof Float64Array && typeof o.longCap === 'number') out.push({ o, ring: 'long', cap: 'longCap' });
  if (o.ring instanceof Float64Array && typeof o.cap === 'number') out.push({ o, ring: 'ring', cap: 'cap' });
  for (const v of Object.values(o)) growing(v, out);
  return out;
}

test('detector snapshots and growing rings: a grown ring and a full-length one (as releases before saved it) both install and score on identically through the wrap', () => {
  const v = (i: number) => 10 + Math.sin(i / 5) + (i % 9) / 9 + (i === 2300 ? 8 : 0);
  const band = (i: number) => (i % 3 ? { lower: v(i) - 1, p50: v(i) + 0.1, upper: v(i) + 1 } : null);
  const a = new AnomalyDetector();
  for (let i = 0; i < 300; i++) a.observe('s', i * 1000, v(i), band(i));
  const plain = toPlain(a.exportSeries('s')!, new Set([a.config]));
  const rings = growing(plain);
  const sizes = rings.map(({ o, ring, cap }) => `${ring} ${(o[ring] as Float64Array).length}/${o[cap] as number}`).sort();
  // After 300 ticks: the forecast and volatility likelihoods' rings and the seasonal view's grown to 512; the
  // seasonal likelihood (fed once the view has a period) and the long-cycle filter's hourly view still at 128.
  assert.deepEqual(sizes, ['long 128/500', 'long 512/2000', 'long 512/2000', 'ring 128/425', 'ring 512/1045']);
  const grown = decodeSnapshot(Buffer.concat(encodeSnapshot(plain))) as Record<string, unknown>;
  // The shape of a release whose rings were full-length from the start: padded with zeros, no cap field.
  const old = toPlain(a.exportSeries('s')!, new Set([a.config]));
  for (const { o, ring, cap } of growing(old)) {
    const full = new Float64Array(o[cap] as number);
    full.set(o[ring] as Float64Array);
    o[ring] = full;
    delete o[cap];
  }
  const oldSaved = decodeSnapshot(Buffer.concat(encodeSnapshot(old))) as Record<string, unknown>;
  const b = new AnomalyDetector();
  const c = new AnomalyDetector();
  b.importSeries('s', Object.keys(grown), (fresh) => fillFrom(fresh, grown));
  c.importSeries('s', Object.keys(oldSaved), (fresh) => fillFrom(fresh, oldSaved));
  for (let i = 300; i < 2600; i++) {
    const ra = a.observe('s', i * 1000, v(i), band(i));
    assert.deepEqual(b.observe('s', i * 1000, v(i), band(i)), ra, `grown rings, tick ${i}`);
    assert.deepEqual(c.observe('s', i * 1000, v(i), band(i)), ra, `full-length rings, tick ${i}`);
  }
  for (const ring of ['long', 'ring']) {
    const longer = toPlain(a.exportSeries('s')!, new Set([a.config]));
    for (const g of growing(longer)) if (g.ring === ring) g.o[ring] = new Float64Array((g.o[g.cap] as number) + 1);
    assert.throws(() => new AnomalyDetector().importSeries('s', Object.keys(longer), (fresh) => fillFrom(fresh, longer)), RangeError, `a ${ring} longer than the config allows does not fit`);
  }
});

test('a series\' late-tick count goes into the snapshot file and comes back (GET /v1/series/{id} lateTicks survives a restart); a file without it restores with 0', () => {
  const mk = () => new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const store = mk();
  const parts = { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry) };
  for (let i = 0; i < 6; i++) store.push('s', i * 60_000, [i], 0);
  for (const t of [60_000, 120_000, 180_000]) assert.equal(store.push('s', t, [0], 0).outcome, 'late');
  parts.homes.note('s', 0);
  const offsets = new Map([[0, 9n]]);
  const identity = { topic: 't', groupId: 'g', window: 4, features: ['value'] };
  const entry = captureSeries(parts, 's', offsets)!;
  const restoreFrom = (e: typeof entry) => {
    const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [e] })));
    const s2 = mk();
    restoreSeriesState({ store: s2, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(s2.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
    return s2;
  };
  assert.equal(restoreFrom(entry).recent('s')!.late, 3);
  const { late: _late, ...older } = entry.w;
  assert.equal(restoreFrom({ ...entry, w: older }).recent('s')!.late, 0, 'a snapshot from before 6 Dec 2026 is read, counting from 0');
});

test('detector state saved before 6 Dec 2026 (its gap clocks without the cadence run and first-interval fields) is installed and scores as the saved detector did', () => {
  const a = new AnomalyDetector();
  const v = (i: number) => 10 + Math.sin(i / 5);
  for (let i = 0; i < 400; i++) a.observe('s', i * 1000, v(i), null);
  const saved = decodeSnapshot(Buffer.concat(encodeSnapshot(toPlain(a.exportSeries('s')!, new Set([a.config]))))) as Record<string, { state: { gaps: Record<string, unknown> } }>;
  for (const k of ['firstOnly', 'runMs', 'run']) delete saved[''].state.gaps[k];
  const b = new AnomalyDetector();
  b.importSeries('s', Object.keys(saved), (fresh) => fillFrom(fresh, saved));
  for (let i = 400; i < 500; i++) assert.deepEqual(b.observe('s', (i + 10) * 1000, v(i), null), a.observe('s', (i + 10) * 1000, v(i), null), `tick ${i}`);
});
