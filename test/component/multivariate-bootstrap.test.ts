/**
 * No checkpoint and a model of several features: the bootstrap model at start learns from the
 * columns of embedded.dataFile named for its features (the ones the embedded replay sends). Until
 * 6 Dec 2026 it was never trained: `TICKCAST_INPUT_FEATURES=cpu,mem npm start` with a
 * timestamp,cpu,mem file served seeded (untrained) weights, since start-up training read one
 * column only. A file without a feature's column still starts on seeded weights, said in one warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type App } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

/** A CSV of two related series (cpu leads mem), 30-step cycle, 600 rows. */
function hostsCsv(dir: string): string {
  const file = join(dir, 'hosts.csv');
  const rows = ['timestamp,cpu,mem'];
  for (let i = 0; i < 600; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    rows.push(`${ts},${(50 + 20 * Math.sin((2 * Math.PI * i) / 30)).toFixed(3)},${(200 + 40 * Math.sin((2 * Math.PI * (i - 3)) / 30)).toFixed(3)}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

async function start(overrides: ConfigInput): Promise<{ app: App; warnings: string[] }> {
  const config = testConfig({ logLevel: 'warn', model: { bootstrapEpochs: 2, bootstrapBudgetMs: 20_000, pretrained: false }, ...overrides });
  const warnings: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (warnings.push(...String(c).split('\n').filter(Boolean).map((l) => JSON.parse(l).msg as string)), cb()) });
  const app = await buildApp(config, { logger: createLogger({ level: 'warn', name: 'tickcast-test', destination: sink }), source: idleSource });
  await app.start();
  return { app, warnings };
}

test('cpu,mem from a timestamp,cpu,mem data file: the bootstrap model is trained on both columns, not seeded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mv-boot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = hostsCsv(dir);
  const { app, warnings } = await start({ input: { features: ['cpu', 'mem'], targets: ['cpu', 'mem'] }, embedded: { dataFile: file } });
  try {
    const training = (await (await fetch(`${app.address()}/v1/model`)).json()).training;
    assert.equal(training.source, 'bootstrap', JSON.stringify({ training, warnings }));
    assert.equal(training.data, file);
    assert.ok(training.steps > 0 && Number.isFinite(training.valMae) && Number.isFinite(training.naiveMae), JSON.stringify(training));
    assert.deepEqual(warnings.filter((m) => /seeded/.test(m)), [], 'no seeded-weights warning');
  } finally {
    await app.stop();
  }
});

test('a data file without a feature column: seeded weights, and one warning naming the column missing and the fix', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mv-boot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = hostsCsv(dir);
  const { app, warnings } = await start({ input: { features: ['cpu', 'disk'] }, embedded: { dataFile: file } });
  try {
    assert.equal((await (await fetch(`${app.address()}/v1/model`)).json()).training.source, 'seeded');
    const seeded = warnings.filter((m) => /seeded weights/.test(m));
    assert.equal(seeded.length, 1, JSON.stringify(warnings));
    assert.match(seeded[0], /no column "disk" \(its columns: timestamp, cpu, mem\)/);
    assert.match(seeded[0], /embedded\.dataFile.*tickcast train/);
  } finally {
    await app.stop();
  }
});

test('one feature: the bootstrap model learns from the column the replay sends (its name, else the second), not the last', async (t) => {
  // A labelled export: the last column is text. The bootstrap read the last column, so the start
  // failed (TC_DATA_NOT_NUMERIC) although the replay sends "value" from the second.
  const dir = mkdtempSync(join(tmpdir(), 'mv-boot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'labelled.csv');
  const rows = ['timestamp,value,label'];
  for (let i = 0; i < 600; i++) rows.push(`${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()},${(50 + 20 * Math.sin(i / 5)).toFixed(3)},${i % 50 === 0 ? 'spike' : 'ok'}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const { app } = await start({ embedded: { dataFile: file } });
  try {
    assert.equal((await (await fetch(`${app.address()}/v1/model`)).json()).training.source, 'bootstrap');
  } finally {
    await app.stop();
  }
});
