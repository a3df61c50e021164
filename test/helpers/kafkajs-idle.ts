/**
 * kafkajs 2.2.4 (the tests' own Kafka client: producers and collectors; src/ uses librdkafka) arms
 * a timer after every response even when nothing waits: RequestQueue.scheduleCheckPendingRequests
 * computes `throttledUntil - Date.now()` with `throttledUntil` -1 when not throttled, and the
 * pending check it schedules schedules the next. Node clamps the negative delay to 1 ms, so every
 * broker connection of a test process polls 1,000 times a second for good — an idle producer
 * measured 55 ms of CPU per second on the shared 2-core machine (7 Dec 2026) — and Node 24 (CI's
 * runtime) prints `TimeoutNegativeWarning: -1796606837264 is a negative number` once per process.
 * Upstream: tulios/kafkajs#1751 (open), fix proposed in #1768, unreleased. Patched here, for every
 * process that loads the tests' Kafka helpers: with no request pending nothing is scheduled (a
 * request that cannot go out at once is queued by push(), which schedules the check itself).
 * Left alone if kafkajs changes shape.
 */
import { createRequire } from 'node:module';

interface Queue {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);

export function quietIdleRequestQueues(): boolean {
  let RequestQueue: { prototype: Queue & { __tickcastIdle?: true } } | undefined;
  try {
    RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as typeof RequestQueue;
  } catch {
    return false;
  }
  const proto = RequestQueue?.prototype;
  if (!proto || typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  if (proto.__tickcastIdle) return true;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: Queue) {
    if (!Array.isArray(this.pending) || this.pending.length > 0) schedule.call(this);
  };
  proto.__tickcastIdle = true;
  return true;
}

quietIdleRequestQueues();
