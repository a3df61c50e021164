/**
 * model.onnxWorkers auto (src/model/onnx/serving-threads.ts): one serving thread from two usable
 * CPUs, the container's cgroup quota counted; config accepts auto, numbers, and numbers from env.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.ts';
import { cgroupCpuQuota, servingThreads, usableCpus } from '../../../src/model/onnx/serving-threads.ts';

test('auto: one serving thread from two usable CPUs, none on one; a number is kept', () => {
  assert.equal(servingThreads('auto', 1), 0);
  assert.equal(servingThreads('auto', 2), 1);
  assert.equal(servingThreads('auto', 16), 1);
  assert.equal(servingThreads(0, 16), 0);
  assert.equal(servingThreads(3, 2), 3);
});

test('usable CPUs: the cgroup quota caps the host CPUs (v2 cpu.max, v1 cfs quota/period), at least one', () => {
  const files = (m: Record<string, string>) => (p: string): string | null => m[p] ?? null;
  assert.equal(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': 'max 100000' })), null);
  assert.equal(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000' })), 1.5);
  assert.equal(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' })), 2);
  assert.equal(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' })), null);
  assert.equal(cgroupCpuQuota(files({})), null);
  assert.equal(usableCpus(null, 8), 8);
  assert.equal(usableCpus(1.5, 64), 1, 'a 1.5-CPU limit on a 64-CPU host: one usable CPU, so auto serves in the main thread');
  assert.equal(usableCpus(0.5, 64), 1);
  assert.equal(usableCpus(4, 2), 2);
});

test('config: model.onnxWorkers is auto by default, takes a number from YAML or env, refuses anything else', () => {
  assert.equal(loadConfig({ env: {} }).model.onnxWorkers, 'auto');
  assert.equal(loadConfig({ env: { TICKCAST_MODEL_ONNX_WORKERS: '2' } }).model.onnxWorkers, 2);
  assert.equal(loadConfig({ env: { TICKCAST_MODEL_ONNX_WORKERS: 'auto' } }).model.onnxWorkers, 'auto');
  assert.equal(loadConfig({ env: {}, overrides: { model: { onnxWorkers: 0 } } }).model.onnxWorkers, 0);
  assert.throws(() => loadConfig({ env: { TICKCAST_MODEL_ONNX_WORKERS: 'many' } }), /onnxWorkers/);
  assert.throws(() => loadConfig({ env: {}, overrides: { model: { onnxWorkers: -1 } } }), /onnxWorkers/);
});
