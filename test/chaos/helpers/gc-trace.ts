/**
 * The live V8 heap of a service, from outside: run it with `--trace-gc` and read the heap each full
 * collection (mark-compact) leaves behind, which is the live set. Sampled "heap in use" is a GC
 * sawtooth whose readings depend on how soon after a collection they land; this does not.
 *
 *   const gc = new GcTrace(() => progress);
 *   const svc = await env.service({ nodeArgs: gc.nodeArgs, onLine: gc.onLine });
 *   … gc.fullCollections() …
 */

/**
 * A --trace-gc line of a full collection: "[pid:0xISOLATE]  52345 ms: Mark-Compact 340.2 (370.1) ->
 * 95.6 (310.0) MB, …". Worker threads write theirs too, told apart by the isolate address.
 */
const MARK_COMPACT = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Mark-Compact[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;

export interface FullGc {
  isolate: string;
  /** The caller's progress figure when the line arrived (ticks done, ms since start, …). */
  at: number;
  /** Heap in use before and after the collection, MB as V8 prints it. */
  before: number;
  after: number;
}

export class GcTrace {
  readonly nodeArgs = ['--trace-gc'];
  readonly #all: FullGc[] = [];
  readonly #progress: () => number;

  constructor(progress: () => number) {
    this.#progress = progress;
  }

  readonly onLine = (line: string): void => {
    const m = MARK_COMPACT.exec(line);
    if (m) this.#all.push({ isolate: m[1], at: this.#progress(), before: Number(m[2]), after: Number(m[3]) });
  };

  /** Every full collection seen, any thread. */
  get all(): readonly FullGc[] {
    return this.#all;
  }

  /** The main thread's full collections: those of the isolate whose heap grew largest. */
  fullCollections(): FullGc[] {
    const peak = new Map<string, number>();
    for (const g of this.#all) peak.set(g.isolate, Math.max(peak.get(g.isolate) ?? 0, g.before));
    const main = [...peak].sort((a, b) => b[1] - a[1])[0]?.[0];
    return this.#all.filter((g) => g.isolate === main);
  }
}
