/**
 * Decides whether new work is refused with 503 + Retry-After. Three reasons, checked in order:
 * the service is draining (shutdown), the serving layer says it is saturated (queue full), or the
 * event loop delay p99 over the last sample interval is above the threshold (this process is
 * too busy to answer in time, so taking more work only makes every request slower).
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { ServingApi } from '../../pipeline/ports.ts';
import type { HttpConfig } from './config.ts';

export interface ShedDecision {
  shed: boolean;
  retryAfterSeconds: number;
  reason?: 'draining' | 'overloaded' | 'event-loop';
  message?: string;
}

export class LoadShedder {
  readonly #serving: ServingApi;
  readonly #cfg: HttpConfig['loadShedding'];
  #histogram: IntervalHistogram | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Event loop delay p99 of the last completed interval, ms (or the sampler's own lateness, if larger). */
  #lastP99Ms = 0;
  /** When the sampler last ran (performance.now(), ms). */
  #lastTickMs = 0;

  constructor(serving: ServingApi, cfg: HttpConfig['loadShedding']) {
    this.#serving = serving;
    this.#cfg = cfg;
  }

  /**
   * The larger of the p99 of the last completed sample interval and of the current one so far: a
   * stall is recorded once, by the first monitor tick after it, so it must count from that moment
   * (current) until a whole interval has passed without it (last).
   */
  get eventLoopDelayP99Ms(): number {
    const h = this.#histogram;
    const current = h !== null && h.count > 0 ? h.percentile(99) / 1e6 : 0;
    return Math.max(current, this.#lastP99Ms);
  }

  start(): void {
    if (!this.#cfg.enabled || this.#histogram !== null) return;
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#lastTickMs = performance.now();
    this.#timer = setInterval(() => this.#sample(), this.#cfg.sampleIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#histogram?.disable();
    this.#histogram = null;
  }

  /**
   * Closes an interval. A stall also shows as this timer's own lateness: counting it does not
   * depend on whether the histogram's timer or this one runs first after a long block (their order
   * is not specified, and differs between Node versions), the same measure @fastify/under-pressure uses.
   */
  #sample(): void {
    const h = this.#histogram;
    if (h === null) return;
    const now = performance.now();
    const lateMs = Math.max(0, now - this.#lastTickMs - this.#cfg.sampleIntervalMs);
    this.#lastTickMs = now;
    const p99 = h.count > 0 ? h.percentile(99) / 1e6 : 0;
    this.#lastP99Ms = Math.max(p99, lateMs);
    h.reset();
  }

  decide(): ShedDecision {
    const health = this.#serving.health();
    if (health.draining) {
      return { shed: true, reason: 'draining', retryAfterSeconds: this.#cfg.retryAfterSeconds, message: 'the server is shutting down' };
    }
    if (!this.#cfg.enabled) return { shed: false, retryAfterSeconds: 0 };
    const o = this.#serving.overloaded();
    if (o.overloaded) {
      return {
        shed: true,
        reason: 'overloaded',
        retryAfterSeconds: Math.max(1, Math.ceil(o.retryAfterSeconds)),
        message: `the server is saturated${o.reason ? ` (${o.reason})` : ''}`,
      };
    }
    const p99 = this.eventLoopDelayP99Ms;
    if (p99 > this.#cfg.eventLoopDelayP99Ms) {
      return {
        shed: true,
        reason: 'event-loop',
        retryAfterSeconds: this.#cfg.retryAfterSeconds,
        message: `the server is saturated (event loop delay p99 ${p99.toFixed(0)} ms > ${this.#cfg.eventLoopDelayP99Ms} ms)`,
      };
    }
    return { shed: false, retryAfterSeconds: 0 };
  }
}
