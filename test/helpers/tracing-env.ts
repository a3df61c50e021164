/**
 * The start of the tests that set OpenTelemetry from the environment (propagators, sdk-disabled):
 * `traceFromEnv(env)` sets the variables, starts the SDK with an in-memory exporter and shuts it
 * down after the file. Each such test needs its own file: the SDK, and the propagator it sets from
 * the environment, start once per process. `startApp()` starts the app with tracing on, a sink
 * that keeps what it sends and no Kafka source, and feeds `tick(i)` for i < TEST_WINDOW − 1, so
 * that the next tick of series "b3" is forecast by the model; `sent` is emptied after.
 */
import { after } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing.ts';
import { startTestApp, TEST_WINDOW } from './app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

/** Tick `i` of series "b3", one a second, with the given Kafka headers. */
export function tick(i: number, headers: Record<string, string> = {}): RawRecord {
  return {
    key: Buffer.from('b3'),
    value: Buffer.from(JSON.stringify({ series: 'b3', ts: 1735689600000 + i * 1000, value: Math.sin(i) })),
    headers,
    source: { topic: 'ticks', partition: 0, offset: String(i) },
    receivedAtMs: Date.now(),
  };
}

/** The first forecast in `sent` made by the model (not a cold-start baseline). */
export function modelForecast(sent: OutMessage[]): OutMessage | undefined {
  return sent.find((m) => m.stream === 'forecasts' && !JSON.parse(String(m.value)).model.startsWith('baseline:'));
}

export function traceFromEnv(env: Record<string, string>) {
  Object.assign(process.env, env);
  const exporter = new InMemorySpanExporter();
  const tracingStarted = startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  after(async () => (await tracingStarted).shutdown());
  return {
    exporter,
    async startApp() {
      await tracingStarted;
      const sent: OutMessage[] = [];
      const sink: OutputSink = { send: async (m) => void sent.push(...m) };
      const app = await startTestApp({}, { sink, source: idleSource, tracing: true });
      await app.pipeline.handle(Array.from({ length: TEST_WINDOW - 1 }, (_, i) => tick(i))).catch(async (err: unknown) => {
        await app.stop();
        throw err;
      });
      sent.length = 0;
      return { app, sent };
    },
  };
}
