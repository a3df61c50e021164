/**
 * Embedded source: replays a `timestamp,value` series (or, for a model of several features, the
 * file's column of each feature's name) as `series` derived series (each shifted in phase and
 * scaled), one tick per series per step, looping with timestamps that keep increasing.
 * Records are encoded as the same JSON a Kafka producer would send, so the real codec path runs.
 * Paced at `ticksPerSecond` per series (0 = as fast as the pipeline takes them).
 */
import type { RawRecord } from '../../domain/types.ts';
import type { RecordHandler, TickSource } from '../../pipeline/ports.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { describeMissing } from '../../data/feature-columns.ts';
import { readReplayData, type ReplayData } from './sample-series.ts';

export interface ReplayOptions {
  file: string;
  series: number;
  ticksPerSecond: number;
  /** 0 = forever. */
  maxTicks: number;
  /** Prefix of the series ids, e.g. "nyc_taxi" → nyc_taxi-0, nyc_taxi-1, … */
  prefix: string;
  /** The served model's features: what each replayed tick must carry. */
  features: readonly string[];
  /** Called once when maxTicks have been handed over and handled. */
  onDone?: () => void;
}

export class ReplaySource implements TickSource {
  readonly #o: ReplayOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #paused = false;
  #started = false;
  #sent = 0;

  constructor(opts: ReplayOptions, logger: Logger) {
    this.#o = opts;
    this.#log = logger.child({ module: 'replay-source' });
  }

  get sent(): number {
    return this.#sent;
  }

  /** In-process: taking part once started (also when the file cannot feed the model: the rest of the service runs). */
  hasJoined(): boolean {
    return this.#started;
  }

  async start(handle: RecordHandler): Promise<void> {
    const { file, features } = this.#o;
    const data = readReplayData(file, features);
    this.#started = true;
    if ('missing' in data) {
      // Said once here: each replayed tick would be its own dead-letter line (until 6 Dec 2026 they were).
      this.#log.warn(
        { file, features, missing: data.missing, columns: data.header },
        `embedded mode: ${describeMissing(`embedded.dataFile ${file}`, features, data)}, so nothing is replayed: every tick would be a dead letter (TC_RECORD_MISSING_FEATURE). Set embedded.dataFile (TICKCAST_EMBEDDED_DATA_FILE) to a CSV with the time first and a column per feature (e.g. the one the model was trained on), serve this model against Kafka (kafka.brokers), or train a univariate one (tickcast train --features <one column>)`,
      );
      return;
    }
    this.#log.info({ file, rows: data.ts.length, series: this.#o.series, features: data.names ?? ['value'] }, 'replaying sample data');
    this.#loop = this.#run(handle, data).catch((err) => this.#log.error({ err }, 'replay loop failed'));
  }

  async #run(handle: RecordHandler, data: ReplayData): Promise<void> {
    const { series, ticksPerSecond, maxTicks, prefix } = this.#o;
    const signal = this.#abort.signal;
    const n = data.ts.length;
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
          const at = (col: Float64Array) => col[r] * (1 + 0.25 * s) + 100 * s;
          const ts = data.ts[row] + lap * span;
          const id = `${prefix}-${s}`;
          const { names } = data;
          const body = names === null ? { series: id, ts, value: at(data.columns[0]) } : { series: id, ts, values: Object.fromEntries(names.map((f, k) => [f, at(data.columns[k])])) };
          records.push({
            key: Buffer.from(id),
            value: Buffer.from(JSON.stringify(body)),
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
