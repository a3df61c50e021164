import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { hybridFlopsPerWindow } from '../../../src/model/onnx/flops.ts';

test('model FLOPs per window of the issue-4 architecture, counted by hand (2 per multiply-accumulate)', () => {
  const config = resolveHybridConfig({ dModel: 128, lstm: { hiddenSize: 64, numLayers: 2 }, transformer: { layers: 2, heads: 4 }, patch: { length: 1 } });
  const spec = { window: 64, features: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], targets: ['a'], horizon: 8, quantiles: [0.1, 0.5, 0.9] };
  const f = hybridFlopsPerWindow(config, spec);
  // BiLSTM: per layer, 2 directions × 64 steps × [x_t, h] (128 + 64) × 4·64 gates.
  assert.equal(f.lstm, 2 * 2 * (2 * 64 * 192 * 256));
  // Encoder, per layer: QKV 64·128·384, scores + context 2·64·64·128, output 64·128·128, FFN 2·64·128·256.
  assert.equal(f.encoder, 2 * 2 * (64 * 128 * 384 + 2 * 64 * 64 * 128 + 64 * 128 * 128 + 2 * 64 * 128 * 256));
  assert.equal(f.inputProjection, 2 * 64 * 8 * 128);
  assert.equal(f.gatedSkip, 2 * (64 * 128 * 128 + 64 * 256 * 128 + 64 * 128 * 128));
  assert.equal(f.total, f.inputProjection + f.lstm + f.gatedSkip + f.encoder + f.pooling + f.head);
  assert.equal((f.total / 1e6).toFixed(1), '73.6');
});

test('switching attention pooling off and the LSTM to one direction lowers the count accordingly', () => {
  const spec = { window: 16, features: ['v'], targets: ['v'], horizon: 4, quantiles: [0.5] };
  const bi = hybridFlopsPerWindow(resolveHybridConfig({ dModel: 8, transformer: { layers: 0, heads: 1 }, patch: { length: 1 } }), spec);
  const uni = hybridFlopsPerWindow(resolveHybridConfig({ dModel: 8, lstm: { bidirectional: false, useAttention: false }, transformer: { layers: 0, heads: 1 }, patch: { length: 1 } }), spec);
  assert.equal(bi.encoder, 0);
  assert.equal(uni.lstm * 2 < bi.lstm, true); // half the directions, and layer 2 reads Hh instead of 2Hh
  assert.equal(bi.pooling - uni.pooling, 2 * (16 * 8 * 8) + 2 * (16 * 8));
});

test('patch tokens: the sequence part scales with the token count N, the embedding reads P·F inputs per token', () => {
  const spec = { window: 336, features: ['v'], targets: ['v'], horizon: 96, quantiles: [0.1, 0.5, 0.9] };
  const step = hybridFlopsPerWindow(resolveHybridConfig({ patch: { length: 1 } }), spec);
  const patched = hybridFlopsPerWindow(resolveHybridConfig({ patch: { length: 16, stride: 8 } }), spec); // N = 41
  assert.equal(patched.lstm * 336, step.lstm * 41);
  assert.equal(patched.inputProjection, 2 * 41 * 16 * 32);
  assert.equal(patched.head, step.head, 'the head and the linear skip do not depend on N');
  assert.ok(step.total / patched.total > 7, `per-step / patched FLOPs = ${(step.total / patched.total).toFixed(1)}`);
});
