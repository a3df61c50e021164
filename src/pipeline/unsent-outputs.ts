/**
 * Outputs of a chunk that the sink did not acknowledge, kept until that chunk comes again.
 *
 * By the time a chunk's outputs are sent, the pipeline has applied its records to its state
 * (windows, detectors, forecast book). If the send fails, the source does not commit and the
 * transport delivers the same records again; processed a second time they are duplicates, and
 * their forecasts and alerts would never be written. So the pipeline keeps the unsent outputs
 * per partition and, when the redelivery starts at the same offset and covers the same records,
 * sends them as they were and processes only what follows. A redelivery that does not line up
 * (a rebalance moved the partition, the chunk came cut differently) drops the entry and is
 * processed as it comes.
 */
import type { RawRecord } from '../domain/types.ts';
import type { OutMessage } from './ports.ts';

interface Entry {
  first: string;
  last: string;
  count: number;
  out: OutMessage[];
}

const partitionOf = (r: RawRecord) => `${r.source.topic}\u0000${r.source.partition}`;

export class UnsentOutputs {
  readonly #byPartition = new Map<string, Entry>();

  /** `records` (as handed to the pipeline) were applied, and `out` — their outputs not yet acknowledged — failed to send. */
  remember(records: readonly RawRecord[], out: OutMessage[]): void {
    if (records.length === 0) return;
    this.#byPartition.set(partitionOf(records[0]), { first: records[0].source.offset, last: records[records.length - 1].source.offset, count: records.length, out });
  }

  /** The outputs kept for the first records of `records`, and how many records they stand for; null when none line up. */
  take(records: readonly RawRecord[]): { out: OutMessage[]; covered: number } | null {
    if (records.length === 0) return null;
    const key = partitionOf(records[0]);
    const e = this.#byPartition.get(key);
    if (e === undefined) return null;
    this.#byPartition.delete(key);
    const lines = records[0].source.offset === e.first && records.length >= e.count && records[e.count - 1].source.offset === e.last;
    return lines ? { out: e.out, covered: e.count } : null;
  }

  /** Partitions with outputs waiting (tests, health). */
  get size(): number {
    return this.#byPartition.size;
  }
}
