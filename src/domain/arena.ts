/**
 * Typed arrays carved from one ArrayBuffer. Per-series state is a dozen typed arrays (detector
 * rings, window ring, statistics); allocating each on its own costs ~15 µs apiece in V8 (a
 * backing store each, external-memory accounting, GC), which is most of the time it takes to
 * create or restore 10,000 series. An arena allocates one buffer per series instead.
 *
 * Sizing: `SizedArenas` remembers, per kind of state, how many bytes the last one needed, so the
 * first series of a kind allocates its arrays one by one (the arena starts empty and overflows)
 * and every later one gets a single buffer of the right size.
 */

/** Where a state's typed arrays come from. */
export interface ArrayAlloc {
  f64(n: number): Float64Array;
  f32(n: number): Float32Array;
}

/**
 * `a` at `n` entries, its values first (a buffer of its own): for a ring that grows as it fills,
 * so that a young series does not zero and fault in the whole of it (anomaly/likelihood.ts).
 */
export function grown(a: Float64Array, n: number): Float64Array {
  const next = new Float64Array(n);
  next.set(a);
  return next;
}

/** Plain allocation: one backing store per array. */
export const OWN_ARRAYS: ArrayAlloc = {
  f64: (n) => new Float64Array(n),
  f32: (n) => new Float32Array(n),
};

export class ArrayArena implements ArrayAlloc {
  readonly #buf: ArrayBuffer;
  #offset = 0;
  /** Bytes asked for that did not fit (allocated on their own). */
  #overflow = 0;

  constructor(bytes: number) {
    this.#buf = new ArrayBuffer(bytes);
  }

  /** Bytes a buffer needs to hold everything asked for so far (8-byte aligned pieces). */
  get needed(): number {
    return this.#offset + this.#overflow;
  }

  f64(n: number): Float64Array {
    const at = this.#take(n * 8);
    return at < 0 ? new Float64Array(n) : new Float64Array(this.#buf, at, n);
  }

  f32(n: number): Float32Array {
    const at = this.#take(n * 4);
    return at < 0 ? new Float32Array(n) : new Float32Array(this.#buf, at, n);
  }

  u8(n: number): Uint8Array {
    const at = this.#take(n);
    return at < 0 ? new Uint8Array(n) : new Uint8Array(this.#buf, at, n);
  }

  /** Offset of `bytes` in the buffer (8-aligned), or -1 when they do not fit. */
  #take(bytes: number): number {
    const size = (bytes + 7) & ~7;
    if (this.#offset + size > this.#buf.byteLength) {
      this.#overflow += size;
      return -1;
    }
    const at = this.#offset;
    this.#offset += size;
    return at;
  }
}

/** One arena per state, sized from the last state of the same kind. */
export class SizedArenas {
  #bytes = 0;

  /** Build a state with its arrays from one buffer. */
  build<T>(make: (alloc: ArrayAlloc) => T): T {
    const arena = new ArrayArena(this.#bytes);
    const out = make(arena);
    this.#bytes = Math.max(this.#bytes, arena.needed);
    return out;
  }
}
