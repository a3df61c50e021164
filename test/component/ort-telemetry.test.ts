/**
 * onnxruntime-node's usage telemetry stays off in the service: no events database under
 * $HOME/.cache/Microsoft/DeveloperTools (and so no upload to Microsoft, and no fsync of it on the
 * exiting thread after the last log line). The real process on the ONNX engine, serving and
 * stopped, with HOME pointed at a fresh directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSourceService, waitFor } from '../helpers/spawned-service.ts';

test('the ONNX engine runs with onnxruntime telemetry off: nothing written under $HOME/.cache/Microsoft', { timeout: 180_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'tc-ort-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const { child, port, log, exited } = await startSourceService(t, { env: { HOME: home, TICKCAST_MODEL_ENGINE: 'onnx' } });
  await waitFor('forecasts served by the ONNX engine', 120_000, async () => {
    const r = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window: Array.from({ length: 16 }, (_, i) => Math.sin(i)) }) }).catch(() => null);
    return r?.ok ? true : undefined;
  });
  assert.match(log.text, /"msg":"inference engine: onnx/);
  child.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
  const ms = join(home, '.cache', 'Microsoft');
  assert.ok(!existsSync(ms), `onnxruntime wrote its telemetry store: ${existsSync(ms) ? readdirSync(join(ms, 'DeveloperTools', '.onnxruntime')).join(', ') : ''}`);
});
