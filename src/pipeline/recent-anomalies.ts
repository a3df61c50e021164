/**
 * The most recent anomaly records (alerts) of every series, newest last, for the API
 * (GET /v1/anomalies, the MCP tool, the dashboard). A bounded ring: past `max` the oldest go.
 * It is not per-series state: records stay after their series is evicted.
 */
import type { AnomalyRecord } from './ports.ts';

/** Records kept by default. */
export const RECENT_ANOMALIES_MAX = 1000;

export class RecentAnomalies {
  readonly #records: AnomalyRecord[] = [];
  readonly #max: number;

  constructor(max = RECENT_ANOMALIES_MAX) {
    this.#max = max;
  }

  add(rec: AnomalyRecord): void {
    this.#records.push(rec);
    if (this.#records.length > this.#max) this.#records.splice(0, this.#records.length - this.#max);
  }

  /** Records held (diagnostics: app.stateSizes). */
  get size(): number {
    return this.#records.length;
  }

  /** Newest first, at most `limit`, of one series or (series undefined) of all. */
  list(series: string | undefined, limit: number): AnomalyRecord[] {
    const out: AnomalyRecord[] = [];
    for (let i = this.#records.length - 1; i >= 0 && out.length < limit; i--) {
      if (series === undefined || this.#records[i].series === series) out.push(this.#records[i]);
    }
    return out;
  }
}
