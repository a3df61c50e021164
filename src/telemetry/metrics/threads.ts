import { performance } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Seconds the main thread's event loop was busy (Node's eventLoopUtilization), as a counter:
 * rate() is the main thread's utilisation — the decoding, windowing, scoring and producing that
 * the serving threads do not take. With the serving threads' utilisation it says which side
 * limits throughput (docs/inference.md "Serving threads").
 */
export function threadMetrics(registers: Registry[]) {
  let seen = 0;
  return {
    eventLoopBusySeconds: new Counter({
      name: 'tickcast_event_loop_busy_seconds_total',
      help: "Seconds the main thread's event loop was busy (Node's eventLoopUtilization): rate() is its utilisation.",
      registers,
      collect() {
        const active = performance.eventLoopUtilization().active;
        if (active > seen) this.inc((active - seen) / 1000);
        seen = active;
      },
    }),
    onnxBusySeconds: new Counter({ name: 'tickcast_onnx_thread_busy_seconds_total', help: 'Seconds the ONNX serving threads (model.onnxWorkers) spent running the model, all threads together: rate() / tickcast_onnx_serving_threads is their utilisation.', registers }),
    onnxServingThreads: new Gauge({ name: 'tickcast_onnx_serving_threads', help: 'Live ONNX serving threads of the serving model (0 when it is served in the main thread).', registers }),
  };
}
