/**
 * The outputs of each partition's latest chunk, kept until the transport moves past it.
 *
 * By the time a chunk's outputs are sent, the pipeline has applied its records to its state
 * (windows, detectors, forecast book). If the send fails — or, in exactly-once mode, the
 * transaction that holds the sent outputs is aborted at sendOffsets/commit — the source does not
 * commit and the transport delivers the same records again; processed a second time they are
 * duplicates, and their forecasts and alerts would never be written. So the pipeline keeps the
 * outputs per partition and, when a delivery starts at the same offset and covers the same
 * records, sends them as they were and processes only what follows. A delivery that starts
 * earlier and reaches them — the partition assigned again after a rebalance restarts before the
 * committed offset to rebuild windows (the plain replay) — sends them where their first record is;
 * one that ends before them leaves them kept (before, both dropped them: the records then came as
 * duplicates and their outputs were never written). A delivery in which all of them are warm-up drops
 * them unsent: warm-up ends at the committed offset or after a chunk whose outputs the source knows were
 * acknowledged (its commit refused), so they were written (7 Dec 2026; before, sent twice). The next chunk of the partition (starting
 * later: the transport moved on) drops the entry, as does a redelivery whose records differ.
 */
import type { RawRecord } from '../domain/types.ts';
import type { OutMessage } from './ports.ts';

interface Entry {
  first: RawRecord;
  last: RawRecord;
  count: number;
  out: OutMessage[];
}

const sameBytes = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
/** The same record: offset, key and value (a source whose offsets repeat — tests, a replay — is not mistaken). */
const sameRecord = (a: RawRecord, b: RawRecord) => a.source.offset === b.source.offset && sameBytes(a.key, b.key) && sameBytes(a.value, b.value);

const partitionOf = (r: RawRecord) => `${r.source.topic}\u0000${r.source.partition}`;

export class UnsentOutputs {
  readonly #byPartition = new Map<string, Entry>();

  /** `records` (as handed to the pipeline) were applied and `out` are all their outputs, about to be sent. */
  remember(records: readonly RawRecord[], out: OutMessage[]): void {
    if (records.length === 0) return;
    this.#byPartition.set(partitionOf(records[0]), { first: records[0], last: records[records.length - 1], count: records.length, out });
  }

  /**
   * The outputs kept for records of `records`: `at` is where the first of them is, `covered` how
   * many of them are here (the rest may come in the next delivery); null when none line up.
   */
  take(records: readonly RawRecord[]): { out: OutMessage[]; at: number; covered: number } | null {
    if (records.length === 0) return null;
    const key = partitionOf(records[0]);
    const e = this.#byPartition.get(key);
    if (e === undefined) return null;
    const at = records.findIndex((r) => r.source.offset === e.first.source.offset);
    // A replay that ends before the kept records (offsets are decimal strings): they are still to come.
    if (at < 0 && BigInt(records[records.length - 1].source.offset) < BigInt(e.first.source.offset)) return null;
    this.#byPartition.delete(key);
    if (at < 0 || !sameRecord(records[at], e.first)) return null;
    const covered = Math.min(e.count, records.length - at);
    // Every one of them warm-up: below the committed offset, or the end of a chunk this member knows it sent (its commit
    // refused: src/adapters/kafka/refused-chunks.ts), so their outputs were acknowledged: sent again they were duplicates.
    if (covered === e.count && records[at + e.count - 1].warmup === true) return null;
    return covered < e.count || sameRecord(records[at + e.count - 1], e.last) ? { out: e.out, at, covered } : null;
  }

  /** Partitions with outputs waiting (tests, health). */
  get size(): number {
    return this.#byPartition.size;
  }
}
