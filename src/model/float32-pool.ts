/**
 * A free list of Float32Arrays by length, for large scratch buffers that a hot loop would
 * otherwise allocate (zeroed, on fresh pages) on every call. `take` returns an array whose
 * contents are whatever its last user left: callers must write every element before reading it.
 * The pool keeps at most `maxBytes` in all; arrays beyond that are left to the GC.
 */
export class Float32Pool {
  readonly #free = new Map<number, Float32Array[]>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = 256 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  take(length: number): Float32Array {
    const a = this.#free.get(length)?.pop();
    if (!a) return new Float32Array(length);
    this.#bytes -= a.byteLength;
    return a;
  }

  give(...arrays: Float32Array[]): void {
    for (const a of arrays) {
      if (this.#bytes + a.byteLength > this.#maxBytes) continue;
      let list = this.#free.get(a.length);
      if (!list) this.#free.set(a.length, (list = []));
      if (list.includes(a)) continue;
      list.push(a);
      this.#bytes += a.byteLength;
    }
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }
}
