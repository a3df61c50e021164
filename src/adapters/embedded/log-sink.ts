/**
 * Embedded sink: outputs are logged instead of produced (alerts and dead letters always, forecasts
 * sampled) and kept in a small in-memory tail for inspection. "Acknowledged" once logged.
 */
import type { OutMessage, OutputSink } from '../../pipeline/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';

export class LogSink implements OutputSink {
  readonly #log: Logger;
  readonly #every: number;
  readonly counts = { forecasts: 0, anomalies: 0, dlq: 0, alertState: 0 };

  constructor(logger: Logger, opts: { logEveryNthForecast: number }) {
    this.#log = logger.child({ module: 'embedded-sink' });
    this.#every = opts.logEveryNthForecast;
  }

  async send(messages: OutMessage[]): Promise<void> {
    for (const m of messages) {
      this.counts[m.stream]++;
      if (m.stream === 'alertState') continue;
      if (m.stream === 'anomalies') this.#log.warn({ alert: JSON.parse(String(m.value)) }, 'anomaly');
      else if (m.stream === 'dlq') this.#log.warn({ code: m.headers['tickcast-error-code'], reason: String(m.headers['tickcast-error-message']) }, 'dead letter');
      else if (this.counts.forecasts % this.#every === 1 || this.#every === 1) this.#log.info({ forecast: JSON.parse(String(m.value)) }, 'forecast');
    }
  }
}
