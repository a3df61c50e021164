/**
 * A bounded index of recent firing alerts by id, so feedback can name an alert by the id on its
 * record. Least recently indexed go first beyond `capacity`. In memory: after a restart the index
 * starts empty (feedback already given is kept by the feedback store, alerts still firing are found
 * in the series outlook restored from the snapshot, and topic feedback may carry the alert's
 * series, ts and score itself).
 */
import type { AnomalyAlertRecord } from '../domain/anomaly/index.ts';

/** An alert record with its id (the same shape as ports.ts's AnomalyRecord; kept here so the index does not import the ports). */
type AnomalyRecord = AnomalyAlertRecord & { kind?: 'alert'; id?: string };

export class AlertIndex {
  readonly #byId = new Map<string, AnomalyRecord>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer; got ${capacity}`);
  }

  get size(): number {
    return this.#byId.size;
  }

  add(rec: AnomalyRecord): void {
    if (rec.id === undefined || rec.state !== 'firing') return;
    this.#byId.delete(rec.id);
    this.#byId.set(rec.id, rec);
    if (this.#byId.size > this.capacity) this.#byId.delete(this.#byId.keys().next().value as string);
  }

  get(id: string): AnomalyRecord | undefined {
    return this.#byId.get(id);
  }
}
