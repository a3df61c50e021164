/**
 * Embedded mode replays embedded.dataFile into the model served. A model of several features was
 * fed one `value` per tick, so every replayed tick became a dead letter logged on its own line
 * (40 of 40 ticks with TICKCAST_INPUT_FEATURES=cpu,mem, 6 Dec 2026). Now the replay sends the
 * model's features from the file's columns of those names, and when the file lacks one it says so
 * once and replays nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplaySource } from '../../../src/adapters/embedded/replay-source.ts';
import { SAMPLE_FILE, replayPrefix } from '../../../src/adapters/embedded/sample-series.ts';
import { createSource } from '../../../src/app-parts.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { decodeTick } from '../../../src/domain/tick-codec.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

function capture(): { log: Logger; lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  const log = { info: at('info'), warn: at('warn'), error: at('error'), child: () => log } as unknown as Logger;
  return { log, lines };
}

const codec = (features: string[]) => ({ features, maxRecordBytes: 65536, seriesPattern: /^.+$/, missingFeature: 'reject' as const });

test('a model of several features: the replay sends each from the data file column of its name, every tick decodes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hosts.csv');
  writeFileSync(file, 'date,mem,other,cpu\n2025-01-01 00:00,20,9,50\n2025-01-01 00:01,21,9,51\n2025-01-01 00:02,22,9,52\n');
  const handled: RawRecord[] = [];
  const { log, lines } = capture();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const source = new ReplaySource({ file, series: 2, ticksPerSecond: 0, maxTicks: 8, prefix: 'h', features: ['cpu', 'mem'], onDone: done }, log);
  await source.start(async (records) => void handled.push(...records));
  await finished;
  await source.stop();
  assert.equal(handled.length, 8);
  const ticks = handled.map((r) => decodeTick(r.key, r.value, codec(['cpu', 'mem'])));
  assert.deepEqual(ticks.filter((d) => !d.ok).map((d) => !d.ok && d.error.message), [], 'no dead letters');
  const first = ticks.map((d) => (d.ok ? [d.tick.series, Array.from(d.tick.values)] : null)).slice(0, 2);
  assert.deepEqual(first, [['h-0', [50, 20]], ['h-1', [51 * 1.25 + 100, 21 * 1.25 + 100]]], 'series 0 as in the file, series 1 shifted and scaled like the univariate replay');
  assert.deepEqual(lines.filter((l) => l.level !== 'info'), []);
});

test('a model of several features and a data file without them (the bundled sample): one warning naming what is missing, nothing replayed', async () => {
  const handled: RawRecord[] = [];
  const { log, lines } = capture();
  const source = new ReplaySource({ file: SAMPLE_FILE, series: 2, ticksPerSecond: 0, maxTicks: 40, prefix: 'h', features: ['cpu', 'mem'] }, log);
  await source.start(async (records) => void handled.push(...records));
  await source.stop();
  assert.equal(handled.length, 0, 'no tick is replayed (each would be a dead letter)');
  const warned = lines.filter((l) => l.level !== 'info');
  assert.equal(warned.length, 1, JSON.stringify(lines));
  assert.match(warned[0].msg, /takes 2 features \(cpu, mem\).*has no column "cpu", "mem".*nothing is replayed/);
  assert.match(warned[0].msg, /embedded\.dataFile/);
  assert.match(warned[0].msg, /kafka\.brokers/);
});

test('a univariate model: the sample replays as before, as "value"', async () => {
  const handled: RawRecord[] = [];
  const { log } = capture();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const source = new ReplaySource({ file: SAMPLE_FILE, series: 2, ticksPerSecond: 0, maxTicks: 4, prefix: 'n', features: ['value'], onDone: done }, log);
  await source.start(async (records) => void handled.push(...records));
  await finished;
  await source.stop();
  assert.equal(handled.length, 4);
  assert.ok(handled.every((r) => decodeTick(r.key, r.value, codec(['OT'])).ok), 'a single feature of any name takes "value"');
  assert.deepEqual(JSON.parse(String(handled[0].value)), { series: 'n-0', ts: Date.UTC(2014, 6, 1), value: 10844 });
});

test('embedded.dataFile names the replayed series after the file (hosts.csv → hosts-0, hosts-1); the bundled sample stays nyc_taxi-N', async (t) => {
  // Found running README's "TICKCAST_MODEL_DIR=<dir> npm start" with embedded.dataFile set to
  // ETTh1.csv (7 Dec 2026): GET /v1/series listed nyc_taxi-0 … nyc_taxi-3, series named after a
  // file that was not replayed.
  assert.equal(replayPrefix(SAMPLE_FILE), 'nyc_taxi');
  assert.equal(replayPrefix('/data/ETTh1.csv'), 'ETTh1');
  assert.equal(replayPrefix('/data/my sensors (v2).CSV'), 'my_sensors__v2_');
  assert.equal(replayPrefix('/data/..csv'), 'series', 'an id the default seriesPattern refuses falls back');
  assert.equal(replayPrefix(`/data/${'x'.repeat(300)}.csv`).length, 100, 'room for "-N" within the 128 characters of an id');
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hosts.csv');
  writeFileSync(file, 'timestamp,value\n2025-01-01 00:00,20\n2025-01-01 00:01,21\n2025-01-01 00:02,22\n');
  const config = loadConfig({ env: {}, overrides: { embedded: { dataFile: file, series: 2, ticksPerSecond: 0, maxTicks: 4 } } });
  const handled: RawRecord[] = [];
  let done!: () => void;
  const four = new Promise<void>((r) => (done = r));
  const source = createSource(config, null, undefined, capture().log, ['value']);
  await source.start(async (records) => {
    handled.push(...records);
    if (handled.length >= 4) done();
  });
  await four;
  await source.stop();
  assert.deepEqual([...new Set(handled.map((r) => String(r.key)))].sort(), ['hosts-0', 'hosts-1']);
});
