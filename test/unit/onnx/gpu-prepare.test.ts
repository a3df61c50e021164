/**
 * load/gpu/prepare.ts (docs/gpu.md) writes what a lent GPU machine runs: tickcast's exported graphs,
 * their weights in the layout load/pytorch/reference.py reads, and onnxruntime-node's outputs on
 * check windows. The files must agree with each other, and — where PyTorch is installed — the
 * reference must reproduce those outputs for the patched models (it once could not run them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

const ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tickcast-gpu-prepare-'));
  execFileSync(process.execPath, ['--import', 'tsx', 'load/gpu/prepare.ts', dir], { cwd: ROOT, stdio: 'pipe' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const floats = (p: string) => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

test('each model folder is self-consistent: weights, check windows and outputs have the sizes its manifest says', () => {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  assert.deepEqual(index.models, ['serving', 'ett336']);
  for (const name of index.models) {
    const m = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8'));
    const { window: W, features, targets, horizon, quantiles } = m.spec;
    const B = m.check.batch;
    const total = m.weights.reduce((s: number, e: { shape: number[] }) => s + e.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(floats(join(dir, name, 'weights.bin')).length, total, `${name}: weights.bin size`);
    assert.equal(floats(join(dir, name, 'check_x.bin')).length, B * W * features.length);
    const y = floats(join(dir, name, 'check_y.bin'));
    assert.equal(y.length, B * horizon * targets.length * quantiles.length);
    assert.ok(y.every(Number.isFinite), `${name}: finite outputs`);
    const a = floats(join(dir, name, 'check_attention.bin'));
    assert.equal(a.length, B * W);
    for (let b = 0; b < B; b++) {
      const sum = a.subarray(b * W, (b + 1) * W).reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `${name}: attention over time steps sums to 1 (got ${sum})`);
    }
    assert.equal(m.config.patch.length, 16, 'the default patches');
    assert.ok(readFileSync(join(dir, name, 'model.onnx')).length > 100_000);
  }
  assert.equal(JSON.parse(readFileSync(join(dir, 'serving', 'manifest.json'), 'utf8')).spec.window, 64);
});

function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

test('the PyTorch reference reproduces onnxruntime-node on the patched models (skipped without torch)', (t) => {
  const py = torchPython();
  if (!py) {
    t.skip('python3 cannot import torch (Debian: apt-get install python3-torch libopenblas0-pthread)');
    return;
  }
  for (const name of ['serving', 'ett336']) {
    const out = execFileSync(py, [join(ROOT, 'load/pytorch/reference.py'), '--dir', join(dir, name), '--batches', '1', '--seconds', '0.05', '--latency-runs', '2', '--threads', '1'], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    assert.ok(r.maxAbsDiffVsOnnx <= 1e-4, `${name}: max |Δ| ${r.maxAbsDiffVsOnnx}`);
  }
});
