import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { ProtoWriter } from '../../../src/model/onnx/proto-writer.ts';
import { GraphBuilder } from '../../../src/model/onnx/graph-builder.ts';

test('varints follow the protobuf wire format (150 → 96 01, -1 → ten bytes)', () => {
  const w = new ProtoWriter();
  w.int(1, 150);
  assert.deepEqual([...w.finish()], [0x08, 0x96, 0x01]);
  const n = new ProtoWriter();
  n.int(2, -1);
  assert.deepEqual([...n.finish()], [0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
});

test('strings, floats and nested messages are length-delimited / fixed32 little-endian', () => {
  const w = new ProtoWriter();
  w.string(2, 'testing');
  w.float(3, 1.5);
  w.message(4, (c) => c.int(1, 3));
  assert.deepEqual([...w.finish()], [0x12, 7, ...Buffer.from('testing'), 0x1d, 0, 0, 0xc0, 0x3f, 0x22, 2, 0x08, 3]);
});

test('the writer grows past its initial buffer without corrupting earlier bytes', () => {
  const w = new ProtoWriter();
  const big = new Uint8Array(10_000).map((_, i) => i & 0xff);
  w.int(1, 7);
  w.bytes(2, big);
  const out = w.finish();
  assert.equal(out.length, 2 + 1 + 2 + big.length);
  assert.equal(out[1], 7);
  assert.deepEqual(out.subarray(5), big);
});

test('a built graph loads in onnxruntime and computes x·W + b for any batch size', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 3]);
  const y = g.linear(x, g.initializer('w', [3, 2], [1, 2, 3, 4, 5, 6]), g.initializer('b', [2], [0.5, -0.5]));
  g.output(y, 'y', ['batch', 2]);
  const session = await ort.InferenceSession.create(g.toModel({ producerVersion: 'test' }));
  try {
    for (const batch of [1, 4]) {
      const xs = Float32Array.from({ length: batch * 3 }, (_, i) => i - 2);
      const out = await session.run({ x: new ort.Tensor('float32', xs, [batch, 3]) });
      const expected: number[] = [];
      for (let b = 0; b < batch; b++) {
        const [a0, a1, a2] = xs.subarray(b * 3, b * 3 + 3);
        expected.push(a0 * 1 + a1 * 3 + a2 * 5 + 0.5, a0 * 2 + a1 * 4 + a2 * 6 - 0.5);
      }
      assert.deepEqual(out.y.dims, [batch, 2]);
      assert.deepEqual([...(out.y.data as Float32Array)], expected);
    }
  } finally {
    await session.release();
  }
});

test('initializer data must match its shape, and value names must be unique', () => {
  const g = new GraphBuilder();
  assert.throws(() => g.initializer('w', [2, 2], [1, 2, 3]), /shape \[2,2\] needs 4 values, got 3/);
  g.initializer('a', [1], [1]);
  assert.throws(() => g.initializer('a', [1], [2]), /duplicate ONNX value name a/);
});
