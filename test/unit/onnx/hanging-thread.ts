/**
 * A stand-in for src/model/onnx/onnx-thread.ts (same messages) for the pool's hung-run test: it
 * answers every call at once with zeros of the right shape, but a call whose first value is 999
 * blocks the thread for 2 s first (Atomics.wait: a synchronous stall, as a hung native
 * session.run is), so the pool sees a call left unanswered and, later, the thread answering.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { OnnxThreadInit, OnnxThreadReply, OnnxThreadRequest } from '../../../src/model/onnx/onnx-thread.ts';

const HANG = 999;
const port = parentPort!;
const { spec } = (workerData as { data: OnnxThreadInit }).data;
const per = spec.horizon * spec.targets.length * spec.quantiles.length;

port.postMessage({ ready: 'cpu' } satisfies OnnxThreadReply);
port.on('message', (m: OnnxThreadRequest) => {
  if ('close' in m) return port.close();
  if (m.x[0] === HANG) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
  const y = new Float32Array(m.batch * per);
  port.postMessage({ id: m.id, y, busyMs: 0 } satisfies OnnxThreadReply, [y.buffer]);
});
