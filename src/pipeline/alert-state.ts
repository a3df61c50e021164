/**
 * Open alerts that follow their input partition (topics.alertState; docs/reliability.md § Open
 * alerts that follow their partition, docs/schemas.md § Output: alert state).
 *
 * The owner of an input partition writes, with every alert record it publishes, the alert's state
 * to a compacted topic on the partition numbered as the series' input partition: the `firing`
 * record while the alert is open, a tombstone once it is resolved (for any reason). An instance
 * that is assigned a partition it did not hold reads that partition's open alerts before it
 * handles a record of it (the Kafka source, at assignment) and keeps them here as *inherited*.
 * At the series' first live tick (after the replay, once the tick is scored) each inherited alert
 * is either this instance's own — its snapshot, its replay or this tick has it open — and resolves
 * as usual, or is resolved at once with `reason: "moved"` (tick-alerts.ts): a detector that
 * restarted learning cannot tell calm from anomalous, and nobody else would ever resolve it.
 */
import type { AnomalyRecord, OutMessage } from './ports.ts';

/** An alert another instance left open on a series of a partition this one took over. */
export interface InheritedAlert {
  /** The alert's latest `firing` record as it was published. */
  record: AnomalyRecord;
  /** The input partition the series arrives on (where its alert state is written). */
  partition: number;
  /** When it was read (wall clock, ms): a series that has not ticked here `windows.idleEvictMs` later is resolved anyway (`expire`). */
  since: number;
}

/** One record of the alert-state topic as read back: `value` null is a tombstone. */
export interface AlertStateEntry {
  key: string | null;
  value: string | null;
}

/** The record key: series and feature (a JSON pair, so neither needs escaping). */
export function alertStateKey(series: string, feature: string | undefined): string {
  return JSON.stringify([series, feature ?? '']);
}

/**
 * The alert-state record that goes with a published alert record: its `firing` record (`value`,
 * as encoded for the anomalies topic) or a tombstone. Null when the input partition is unknown
 * (the record names no source): nothing is written, and a move then loses it as before.
 */
export function alertStateMessage(rec: AnomalyRecord, value: string, partition: number | undefined): OutMessage | null {
  if (partition === undefined || !Number.isInteger(partition) || partition < 0) return null;
  return { stream: 'alertState', key: alertStateKey(rec.series, rec.feature), value: rec.state === 'firing' ? value : null, headers: {}, partition };
}

/** The alerts a partition's records say are open: in offset order, the last value of a key wins and a tombstone removes it. Undecodable records are skipped. */
export function openAlerts(entries: readonly AlertStateEntry[]): AnomalyRecord[] {
  const open = new Map<string, AnomalyRecord>();
  for (const { key, value } of entries) {
    if (key === null) continue;
    if (value === null) {
      open.delete(key);
      continue;
    }
    const rec = parseFiring(value);
    if (rec && alertStateKey(rec.series, rec.feature) === key) open.set(key, rec);
  }
  return [...open.values()];
}

function parseFiring(value: string): AnomalyRecord | null {
  try {
    const rec = JSON.parse(value) as AnomalyRecord;
    return rec !== null && typeof rec === 'object' && typeof rec.series === 'string' && rec.state === 'firing' ? rec : null;
  } catch {
    return null;
  }
}

/**
 * Inherited alerts by series, until the series' first live tick takes them (`take`), its
 * partition leaves this instance again (`release`), or `windows.idleEvictMs` passes without a tick
 * of the series (`expire`: the idle loop resolves them as moved). Bounded by the alerts open on
 * the partitions taken over.
 */
export class InheritedAlerts {
  readonly #bySeries = new Map<string, InheritedAlert[]>();
  /**
   * The alert-state topic's partition count as last seen (the start's check, each read at
   * assignment that got the topic's metadata); undefined until then. No state record is written
   * for series on input partitions at or beyond it (partitions added to the input topic while the
   * service runs): librdkafka refuses a record for a partition it does not know ("Local: Unknown
   * partition") and fails the whole send, so the chunk that carried the first alert of such a
   * series failed and was sent again for good — the partition stalled. Until 6 Dec 2026 (late
   * evening) only a read at assignment that listed the partition as missing said so: one that
   * failed or timed out before it had the metadata left the partition to stall.
   */
  #statePartitions: number | undefined;

  /** A partition's open alerts as read at its assignment; replaces what was held for that partition. */
  add(partition: number, records: readonly AnomalyRecord[], now = Date.now()): void {
    this.release([partition]);
    for (const record of records) {
      const list = this.#bySeries.get(record.series);
      if (list) list.push({ record, partition, since: now });
      else this.#bySeries.set(record.series, [{ record, partition, since: now }]);
    }
  }

  /** Remove and return the alerts read before `before` whose series has not ticked here since (idle series: nothing else would ever take them). */
  expire(before: number): InheritedAlert[] {
    const out: InheritedAlert[] = [];
    for (const [series, list] of this.#bySeries) {
      const kept = list.filter((a) => a.since >= before);
      if (kept.length === list.length) continue;
      out.push(...list.filter((a) => a.since < before));
      if (kept.length === 0) this.#bySeries.delete(series);
      else this.#bySeries.set(series, kept);
    }
    return out;
  }

  /** The series' inherited alerts, removed from here; undefined when none. */
  take(series: string): InheritedAlert[] | undefined {
    const list = this.#bySeries.get(series);
    if (list) this.#bySeries.delete(series);
    return list;
  }

  /** Give back alerts `take` returned that the series' tick could not decide yet (it came before their firing tick). */
  putBack(series: string, alerts: readonly InheritedAlert[]): void {
    if (alerts.length === 0) return;
    this.#bySeries.set(series, [...(this.#bySeries.get(series) ?? []), ...alerts]);
  }

  /**
   * The alert-state topic has `count` partitions (as seen at start or by a read at assignment): the state of series on input partitions from `count` on is not written (`writable`) until a later look finds more.
   * A smaller count than one seen before is ignored: a topic's partitions are never taken away, and a metadata reply that lacked the topic (0) stopped every state write until the next assignment.
   */
  statePartitions(count: number): void {
    if (count > (this.#statePartitions ?? 0)) this.#statePartitions = count;
  }

  /** Whether the alert state of series on input partition `partition` can be written (false only beyond the count `statePartitions` gave). */
  writable(partition: number | undefined): boolean {
    return partition === undefined || this.#statePartitions === undefined || partition < this.#statePartitions;
  }

  /** Forget the alerts of series on `partitions` (they went to another instance, which reads them itself). */
  release(partitions: readonly number[]): void {
    const gone = new Set(partitions);
    for (const [series, list] of this.#bySeries) {
      const kept = list.filter((a) => !gone.has(a.partition));
      if (kept.length === 0) this.#bySeries.delete(series);
      else if (kept.length < list.length) this.#bySeries.set(series, kept);
    }
  }

  /** Series with inherited alerts not yet taken (diagnostics). */
  get size(): number {
    return this.#bySeries.size;
  }
}
