/**
 * What the service says at start about the model it serves against what the configuration and the
 * source give it (src/app-parts.ts warnSpecMismatch): another window or horizon than configured,
 * and a model of several features in embedded mode, whose replay sends one, so that every
 * replayed tick is dead-lettered (README: train into <dir>/v1, serve with TICKCAST_MODEL_DIR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warnSpecMismatch } from '../../../src/app-parts.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { DEFAULT_SPEC } from '../../../src/model/config.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

function capture(): { log: Logger; lines: Array<{ fields: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = { warn: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) } as unknown as Logger;
  return { log, lines };
}

const config = loadConfig({ env: {} });

test('a model of several features replayed in embedded mode: one warning that says every tick is dead-lettered and what to do', () => {
  const { log, lines } = capture();
  warnSpecMismatch(config, { ...DEFAULT_SPEC, features: ['HUFL', 'OT'], targets: ['OT'] }, log, true);
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0].fields, { features: ['HUFL', 'OT'] });
  assert.match(lines[0].msg, /replays one feature \("value"\) but the model served takes 2 \(HUFL, OT\): every replayed tick is dead-lettered/);
  assert.match(lines[0].msg, /kafka\.brokers/);
});

test('no warning for a univariate model replayed, nor for several features against Kafka; window and horizon as before', () => {
  const { log, lines } = capture();
  warnSpecMismatch(config, { ...DEFAULT_SPEC, features: ['OT'], targets: ['OT'] }, log, true);
  warnSpecMismatch(config, { ...DEFAULT_SPEC, features: ['HUFL', 'OT'], targets: ['OT'] }, log, false);
  assert.equal(lines.length, 0, JSON.stringify(lines));
  warnSpecMismatch(config, { ...DEFAULT_SPEC, window: 48, horizon: 4 }, log);
  assert.deepEqual(lines.map((l) => l.msg), ['windows.length differs from the model window; using the model window', 'model.horizon differs from the model horizon; using the model horizon']);
});
