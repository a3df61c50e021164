/**
 * SenML units (decided 7 Dec 2026): each series' feature keeps the unit it was first sent in (u,
 * else bu), and a record in another unit is refused whole to the dead-letter topic,
 * TC_RECORD_UNIT_MISMATCH, naming both. Before, units were read and ignored: a gateway that moved
 * from Cel to degF had 21 then 70 taken as one series, a 49-degree jump (a false anomaly) and a
 * window mixed from two scales.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord, Tick } from '../../../src/domain/types.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import { SeriesUnits } from '../../../src/pipeline/series-units.ts';
import { SeriesRegistry } from '../../../src/domain/series-registry.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { captureSeries, restoreSeriesState, SeriesHomes, snapshotHead, type SnapshotTree } from '../../../src/pipeline/snapshot/series-state.ts';

const T0 = 1_700_000_000;
let offset = 0;
const pack = (body: object[]): RawRecord => ({ key: Buffer.from('gw'), value: Buffer.from(JSON.stringify(body)), headers: {}, source: { topic: 't', partition: 0, offset: String(offset++) }, receivedAtMs: 0 });

/** Each pack in its own poll; the dead letters, tick outcomes, and what the window of "dev:temp" holds. */
async function run(packs: object[][]): Promise<{ dlq: OutMessage[]; outcomes: string[]; codes: string[]; windowed: number[] }> {
  const spec = { ...SMALL_SPEC, features: ['temp'], targets: ['temp'] };
  const ms = await createModelServing({ spec });
  const sent: OutMessage[] = [];
  const outcomes: string[] = [];
  const codes: string[] = [];
  const units = new SeriesUnits(ms.store.registry, spec.features);
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null, units,
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) }, observer: { tick: (o: string) => void outcomes.push(o), deadLetter: (code: string) => void codes.push(code) },
    codec: { features: ['temp'], maxRecordBytes: 4096, seriesPattern: /^[a-z:]+$/, missingFeature: 'reject', format: 'senml', senmlSeries: 'name' },
  });
  try {
    for (const body of packs) await pipeline.handle([pack(body)]);
    const w = ms.store.exportSeries('dev:temp', false);
    const windowed = w ? [...w.values].filter((v) => Number.isFinite(v) && v !== 0) : [];
    return { dlq: sent.filter((m) => m.stream === 'dlq'), outcomes, codes, windowed };
  } finally {
    await ms.close();
  }
}

test('a series sent in Cel, then in degF: the degF pack is dead-lettered TC_RECORD_UNIT_MISMATCH naming both units, and its reading is not windowed', async () => {
  const { dlq, codes, outcomes, windowed } = await run([
    [{ bn: 'dev:', bt: T0, n: 'temp', u: 'Cel', v: 21 }],
    [{ bn: 'dev:', bt: T0 + 60, n: 'temp', u: 'degF', v: 70 }],
  ]);
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_UNIT_MISMATCH');
  const reason = String(dlq[0].headers['tickcast-error-message']);
  assert.match(reason, /series "dev:temp" feature "temp": the reading at .* is in "degF", but the series was first sent in "Cel"/);
  assert.deepEqual(codes, ['TC_RECORD_UNIT_MISMATCH'], 'counted in the dead-letter metric under its code');
  assert.deepEqual(outcomes, ['accepted', 'dead_letter'], 'and as the record\'s outcome');
  assert.deepEqual(windowed, [21]);
});

test('bu is the unit of records without u, and a pack mixing units for one series is refused whole', async () => {
  const { dlq, windowed } = await run([
    [{ bn: 'dev:', bu: 'Cel', bt: T0, n: 'temp', v: 21 }],
    [{ bn: 'dev:', bu: 'Cel', bt: T0 + 60, n: 'temp', v: 22 }, { n: 'temp', t: 60, u: 'degF', v: 72 }],
  ]);
  assert.equal(dlq.length, 1);
  assert.match(String(dlq[0].headers['tickcast-error-message']), /in "degF", but the series was first sent in "Cel"/);
  assert.deepEqual(windowed, [21], 'none of the refused pack\'s readings is taken');
});

test('a reading with no unit is "unspecified": taken after a unit, and teaches none', async () => {
  const { dlq, windowed } = await run([
    [{ bn: 'dev:', bt: T0, n: 'temp', v: 21 }],
    [{ bn: 'dev:', bt: T0 + 60, n: 'temp', u: 'Cel', v: 22 }],
    [{ bn: 'dev:', bt: T0 + 120, n: 'temp', v: 23 }],
    [{ bn: 'dev:', bt: T0 + 180, n: 'temp', u: 'Cel', v: 24 }],
  ]);
  assert.equal(dlq.length, 0);
  assert.deepEqual(windowed, [21, 22, 23, 24]);
});

const tick = (series: string, ...units: string[]): Tick => ({ series, tsMs: T0 * 1000, values: new Float64Array(units.length), units });

test('SeriesUnits: an evicted series takes its first unit afresh; the snapshot hooks carry the units', () => {
  const registry = new SeriesRegistry({ maxSeries: 10, idleEvictMs: 1000 });
  const units = new SeriesUnits(registry, ['temp', 'hum']);
  registry.touch('a', 0);
  assert.equal(units.check([tick('a', 'Cel', '')]), null);
  assert.equal(units.check([tick('a', '', '%RH')]), null, 'a feature learns its own first unit');
  assert.deepEqual(units.exportSeries('a'), ['Cel', '%RH']);
  assert.equal(units.check([tick('a', 'K', '%RH')])?.code, 'TC_RECORD_UNIT_MISMATCH');
  const restored = new SeriesUnits(new SeriesRegistry({ maxSeries: 10, idleEvictMs: 1000 }), ['temp', 'hum']);
  restored.importSeries('a', units.exportSeries('a'));
  assert.equal(restored.check([tick('a', 'K', '')])?.code, 'TC_RECORD_UNIT_MISMATCH', 'the restored unit holds');
  registry.remove('a');
  assert.equal(units.size, 0);
  assert.equal(units.check([tick('a', 'K', '')]), null);
});

test('the first units survive a restart in the series-state snapshot (SeriesEntry u), through its codec', () => {
  const saved = snapshotParts();
  saved.store.push('dev:temp', 0, [21], 0);
  saved.homes.note('dev:temp', 0);
  assert.equal(saved.units.check([tick('dev:temp', 'Cel')]), null);
  const offsets = new Map([[0, 9n]]);
  const head = snapshotHead(saved, { topic: 't', groupId: 'g', window: 4, features: ['temp'] }, offsets, 0);
  const bytes = Buffer.concat(encodeSnapshot({ ...head, series: [captureSeries(saved, 'dev:temp', offsets)!] }));
  const back = snapshotParts();
  restoreSeriesState(back, decodeSnapshot(bytes) as SnapshotTree, new Set([0]), 0);
  assert.deepEqual(back.units.exportSeries('dev:temp'), ['Cel']);
  assert.equal(back.units.check([tick('dev:temp', 'degF')])?.code, 'TC_RECORD_UNIT_MISMATCH');
});

function snapshotParts() {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  return { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry), units: new SeriesUnits(store.registry, ['temp']) };
}

test('input.senmlUnits "any" turns the check off: no units held (and none snapshotted); "first", the default, holds them', async () => {
  const { loadConfig } = await import('../../../src/config/load.ts');
  const { seriesHolders } = await import('../../../src/app-parts.ts');
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const spec = { ...SMALL_SPEC, features: ['temp'], targets: ['temp'] };
  const first = loadConfig({ env: { TICKCAST_INPUT_FORMAT: 'senml' } });
  assert.equal(first.input.senmlUnits, 'first');
  assert.ok(seriesHolders(first, store, spec).units instanceof SeriesUnits);
  const any = loadConfig({ env: { TICKCAST_INPUT_FORMAT: 'senml', TICKCAST_INPUT_SENML_UNITS: 'any' } });
  assert.equal(seriesHolders(any, store, spec).units, null);
  assert.throws(() => loadConfig({ env: { TICKCAST_INPUT_FORMAT: 'senml', TICKCAST_INPUT_SENML_UNITS: 'convert' } }), /senmlUnits|SENML_UNITS/);
});

test('a unit mismatch quotes long units cut: a 1 MB unit does not push what to do out of the bounded dead-letter reason', async () => {
  const { unitMismatch } = await import('../../../src/domain/senml-units.ts');
  const huge = 'C'.repeat(1_000_000);
  for (const [first, unit] of [[huge, 'Cel'], ['Cel', huge]]) {
    const e = unitMismatch('room1', 'temp', first, unit, Date.UTC(2026, 11, 7));
    assert.ok(e.message.length < 1000, `message of ${e.message.length} characters`);
    assert.match(e.message, /set input\.senmlUnits to "any"$/);
    assert.match(e.message, /"Cel"/);
  }
});

test('a unit longer than 64 characters is refused, not remembered: 20,000 series of 900 KB units would hold 18 GB', () => {
  const registry = new SeriesRegistry({ maxSeries: 10, idleEvictMs: 1000 });
  const units = new SeriesUnits(registry, ['temp', 'hum']);
  const e = units.check([tick('a', 'C'.repeat(900_000), '')]);
  assert.equal(e?.code, 'TC_RECORD_INVALID');
  assert.ok(e.message.length < 1000, `message of ${e.message.length} characters`);
  assert.match(e.message, /900000 characters/);
  assert.equal(units.size, 0, 'nothing learnt from the refused record');
  assert.equal(units.check([tick('a', 'C'.repeat(64), '')]), null, '64 is taken');
  units.importSeries('b', ['C'.repeat(65), '']);
  assert.equal(units.exportSeries('b'), undefined, 'nor is one put back from a snapshot');
});
