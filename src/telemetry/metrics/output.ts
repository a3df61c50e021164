import { Counter, type Registry } from 'prom-client';

/** What the pipeline sent on: forecasts, dead letters, failed sends to Kafka. */
export function outputMetrics(r: Registry[]) {
  return {
    produceFailures: new Counter({ name: 'tickcast_kafka_produce_failures_total', help: "Sends of outputs to Kafka that failed (the chunk's input offsets stay uncommitted and its records are processed again), by the client's error type.", labelNames: ['error'] as const, registers: r }),
    deadLetters: new Counter({ name: 'tickcast_dlq_total', help: 'Records sent to the dead-letter topic, by error code.', labelNames: ['code'] as const, registers: r }),
    forecasts: new Counter({ name: 'tickcast_forecasts_total', help: "Model forecasts emitted (served as the model's, or as a baseline by fusion; cold-series baselines not counted).", registers: r }),
  };
}
