/**
 * Embedded source: replays a `timestamp,value` series as `series` derived series (each shifted in
 * phase and scaled), one tick per series per step, looping with timestamps that keep increasing.
 * Records are encoded as the same JSON a Kafka producer would send, so the real codec path runs.
 * Paced at `ticksPerSecond` per series (0 = as fast as the pipeline takes them).
 */
import type { RawRecord } from '../../domain/types.ts';
import type { RecordHandler, TickSource } from '../../pipeline/ports.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { readSeriesCsv } from './sample-series.ts';

export interface ReplayOptions {
  file: string;
  series: number;
  ticksPerSecond: number;
  /** 0 = forever. */
  maxTicks: number;
  /** Prefix of the series ids, e.g. "nyc_taxi" → nyc_taxi-0, nyc_taxi-1, … */
  prefix: string;
  /** Called once when maxTicks have been handed over and handled. */
  onDone?: () => void;
}

export class ReplaySource implements TickSource {
  readonly #o: ReplayOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #paused = false;
  #sent = 0;

  constructor(opts: ReplayOptions, logger: Logger) {
    this.#o = opts;
    this.#log = logger.child({ module: 'replay-source' });
  }

  get sent(): number {
    return this.#sent;
  }

  /** In-process: taking part once started. */
  hasJoined(): boolean {
    return this.#loop !== null;
  }

  async start(handle: RecordHandler): Promise<void> {
    const data = readSeriesCsv(this.#o.file);
    this.#log.info({ file: this.#o.file, rows: data.values.length, series: this.#o.series }, 'replaying sample data');
    this.#loop = this.#run(handle, data).catch((err) => this.#log.error({ err }, 'replay loop failed'));
  }

  async #run(handle: RecordHandler, data: { ts: Float64Array; values: Float64Array }): Promise<void> {
    const { series, ticksPerSecond, maxTicks, prefix } = this.#o;
    const signal = this.#abort.signal;
    const n = data.values.length;
    const span = data.ts[n - 1] - data.ts[0] + (data.ts[1] - data.ts[0]);
    const stepMs = ticksPerSecond > 0 ? 1000 / ticksPerSecond : 0;
    let offset = 0;
    // Unpaced, hand over several steps at once so the micro-batcher can fill batches.
    const stepsPerCall = stepMs > 0 ? 1 : Math.max(1, Math.floor(256 / series));
    for (let i = 0; !signal.aborted; ) {
      const records: RawRecord[] = [];
      const now = Date.now();
      const steps = maxTicks > 0 ? Math.min(stepsPerCall, Math.ceil((maxTicks - this.#sent) / series)) : stepsPerCall;
      for (let step = i; step < i + steps; step++) {
        const row = step % n;
        const lap = Math.floor(step / n);
        for (let s = 0; s < series; s++) {
          // Series s runs s·97 rows ahead (a different phase) and at its own scale and offset.
          const r = (row + s * 97) % n;
          const value = data.values[r] * (1 + 0.25 * s) + 100 * s;
          const ts = data.ts[row] + lap * span;
          const id = `${prefix}-${s}`;
          records.push({
            key: Buffer.from(id),
            value: Buffer.from(JSON.stringify({ series: id, ts, value })),
            headers: {},
            source: { topic: 'embedded', partition: 0, offset: String(offset++) },
            receivedAtMs: now,
          });
        }
      }
      i += steps;
      await handle(records);
      this.#sent += records.length;
      if (maxTicks > 0 && this.#sent >= maxTicks) {
        this.#o.onDone?.();
        return;
      }
      while (this.#paused && !signal.aborted) await sleep(20, signal);
      if (stepMs > 0) await sleep(Math.max(0, stepMs - (Date.now() - now)), signal);
      else await new Promise((r) => setImmediate(r)); // let HTTP and timers run
    }
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }
}
