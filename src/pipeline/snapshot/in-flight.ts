/**
 * The chunks the snapshotter's handler is handling now, by input partition: a snapshot waits until
 * none is (`idle`) — unless a stop gave them up (`giveUp`: their outputs not acknowledged in time,
 * the brokers down), after which none may begin (./snapshotter.ts).
 */
export class ChunksInFlight {
  readonly #byPartition = new Map<number, number>();
  #active = 0;
  #wake: (() => void) | null = null;
  #givenUp = false;

  /** True once giveUp() was called: no chunk may begin, none still running records an offset. */
  get givenUp(): boolean {
    return this.#givenUp;
  }

  begin(partition: number): void {
    this.#active++;
    this.#byPartition.set(partition, (this.#byPartition.get(partition) ?? 0) + 1);
  }

  end(partition: number): void {
    const left = (this.#byPartition.get(partition) ?? 1) - 1;
    if (left === 0) this.#byPartition.delete(partition);
    else this.#byPartition.set(partition, left);
    if (--this.#active === 0) this.#wake?.();
  }

  /** Resolves once no chunk is in flight, or once they were given up. */
  async idle(): Promise<void> {
    try {
      while (this.#active > 0 && !this.#givenUp) await new Promise<void>((r) => (this.#wake = r));
    } finally {
      this.#wake = null;
    }
  }

  /** From now on no chunk may begin and idle() waits for none; returns the partitions of those in flight. */
  giveUp(): number[] {
    this.#givenUp = true;
    this.#wake?.();
    return [...this.#byPartition.keys()].filter((p) => p >= 0);
  }
}
