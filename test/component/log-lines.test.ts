/** The app's JSON log lines as a log pipeline reads them: one value per key (Elasticsearch refuses a repeated key). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startTestApp } from '../helpers/app.ts';
import { captureLines, repeatedKeys } from '../helpers/log-lines.ts';

test('every line the app logs while starting, serving and stopping has each key once (module bound once)', async () => {
  const { stream, lines } = captureLines();
  const app = await startTestApp({}, { logger: createLogger({ level: 'info', name: 'tickcast-test', destination: stream }) });
  await fetch(`${app.address()}/readyz`);
  await app.stop();
  await new Promise((r) => setImmediate(r));
  const listening = lines.find((l) => l.includes('Server listening'));
  assert.ok(listening, lines.join('\n'));
  assert.equal(JSON.parse(listening).module, 'http');
  for (const l of lines) assert.deepEqual(repeatedKeys(l), [], l);
});
