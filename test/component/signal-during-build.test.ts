/**
 * A SIGTERM while the model is still being loaded or trained at start (bootstrap training can take
 * minutes with an empty model store; the chart's startup probe allows 5 min) is a clean stop:
 * nothing has been consumed yet, so the process says so and exits 0 — not killed by the signal
 * with no word in the log (exit 143 to Kubernetes). The service runs as a real process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, smallServiceEnv, waitFor } from '../helpers/spawned-service.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('SIGTERM during bootstrap training: a log line, exit 0', { timeout: 180_000 }, async (t) => {
  const port = await freePort();
  const modelDir = mkdtempSync(join(tmpdir(), 'tc-build-signal-'));
  // Bootstrap training (the shipped pretrained model does not fit window 16): long enough to be signalled in.
  const env = smallServiceEnv(port, modelDir, { TICKCAST_MODEL_BOOTSTRAP_EPOCHS: '200', TICKCAST_FINETUNE_ENABLED: 'false' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = { text: '' };
  child.stdout.on('data', (c) => (log.text += String(c)));
  child.stderr.on('data', (c) => (log.text += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(modelDir, { recursive: true, force: true });
  });
  await waitFor('the model being built', 120_000, () => {
    if (child.exitCode !== null) throw new Error(`exited early:\n${log.text.slice(-3000)}`);
    return /tfjs backend selected/.test(log.text) ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.doesNotMatch(log.text, /"msg":"tickcast running"/, 'still starting when signalled');
  child.kill('SIGTERM');
  const r = await exited;
  assert.deepEqual(r, { code: 0, signal: null }, `a stop during start-up exits 0; log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /"signal":"SIGTERM".*"msg":"stop requested while starting/);
  assert.doesNotMatch(log.text, /"msg":"tickcast running"/);
});
