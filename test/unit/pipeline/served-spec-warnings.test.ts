/**
 * What the service says at start about the model it serves against what the configuration gives
 * it (src/app-parts.ts warnSpecMismatch): another window or horizon than configured. A model of
 * several features in embedded mode is the replay's to handle (test/unit/embedded/replay-features.test.ts).
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

test('no warning for the configured window and horizon, whatever the features; one for each that differs', () => {
  const { log, lines } = capture();
  warnSpecMismatch(config, { ...DEFAULT_SPEC, features: ['OT'], targets: ['OT'] }, log);
  warnSpecMismatch(config, { ...DEFAULT_SPEC, features: ['HUFL', 'OT'], targets: ['OT'] }, log);
  assert.equal(lines.length, 0, JSON.stringify(lines));
  warnSpecMismatch(config, { ...DEFAULT_SPEC, window: 48, horizon: 4 }, log);
  assert.deepEqual(lines.map((l) => l.msg), ['windows.length differs from the model window; using the model window', 'model.horizon differs from the model horizon; using the model horizon']);
});
