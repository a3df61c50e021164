/**
 * One ONNX serving thread of ./onnx-pool.ts: an in-process OnnxPredictor (CPU provider) inside a
 * `worker_threads` Worker. onnxruntime-node 1.30 runs `session.run` synchronously on the calling
 * thread, so in-process calls never overlap, however many are in flight; each thread of the pool
 * runs its own calls on its own core. Messages: in `{ id, x, batch, attention }`, out
 * `{ id, y, attention? }` (buffers transferred) or `{ id, error: { code, message, statusCode, retriable } }`;
 * `{ close: true }` disposes the session and ends the thread. The first message out is
 * `{ ready: backend }` or `{ failed: message }`.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { ModelSpec } from '../../domain/types.ts';
import { OnnxPredictor } from './onnx-predictor.ts';

export interface OnnxThreadInit {
  bytes: Uint8Array;
  spec: ModelSpec;
  version: string;
  intraOpThreads?: number;
  maxRunBatch?: number;
}

export type OnnxThreadRequest = { id: number; x: Float32Array; batch: number; attention: boolean } | { close: true };
export type OnnxThreadReply =
  | { ready: string }
  | { failed: string }
  | { id: number; y: Float32Array; attention?: Float32Array; busyMs: number }
  | { id: number; error: { code: string; message: string; statusCode: number; retriable: boolean }; busyMs: number };

const port = parentPort!;
const init = (workerData as { data: OnnxThreadInit }).data;

async function main(): Promise<void> {
  let p: OnnxPredictor;
  try {
    p = await OnnxPredictor.fromBytes(init.bytes, { spec: init.spec, version: init.version, intraOpThreads: init.intraOpThreads, executionProvider: 'cpu', maxRunBatch: init.maxRunBatch });
  } catch (err) {
    port.postMessage({ failed: describeError(err) } satisfies OnnxThreadReply);
    return;
  }
  port.postMessage({ ready: p.backend } satisfies OnnxThreadReply);
  // Time this thread's event loop was busy since its last answer (the model runs synchronously in
  // it): the pool adds it up as tickcast_onnx_thread_busy_seconds_total. Timing each call instead
  // counted the wait of a call queued behind another twice.
  let counted = performance.eventLoopUtilization().active;
  const busy = () => {
    const active = performance.eventLoopUtilization().active;
    const ms = active - counted;
    counted = active;
    return ms;
  };
  port.on('message', (m: OnnxThreadRequest) => {
    if ('close' in m) {
      void p.dispose().then(() => port.close());
      return;
    }
    p.predict({ x: m.x, batch: m.batch }, { attention: m.attention }).then(
      (r) => {
        // Fresh copies, so the buffers handed over are ours to transfer (not onnxruntime's).
        const y = new Float32Array(r.y);
        const attention = r.attention ? new Float32Array(r.attention) : undefined;
        port.postMessage({ id: m.id, y, ...(attention ? { attention } : {}), busyMs: busy() } satisfies OnnxThreadReply, attention ? [y.buffer, attention.buffer] : [y.buffer]);
      },
      (err: unknown) => {
        const e = err instanceof TickcastError ? err : new TickcastError(ErrorCodes.INTERNAL, describeError(err));
        port.postMessage({ id: m.id, error: { code: e.code, message: e.message, statusCode: e.statusCode, retriable: e.retriable }, busyMs: busy() } satisfies OnnxThreadReply);
      },
    );
  });
}

void main();
