/**
 * Restart in seconds: snapshots of per-series state with the input offsets they reflect, taken periodically
 * and at shutdown, loaded at start so that only the tail after those offsets is replayed (docs/reliability.md).
 *
 * Consistency: the record handler is wrapped (`wrap`). A snapshot closes the gate (new chunks
 * wait), waits for the chunks in flight to finish, copies the state, and opens the gate again; so
 * the state copied is exactly that of the records handled so far, and the offsets recorded are
 * those of the last record each partition handled. Writing happens after the gate has reopened.
 *
 * Restore: `load` installs every series of the snapshot before the consumer joins; `restoreFrom`,
 * called by the source at the first assignment that includes a partition, keeps its series when
 * the snapshot's offset is ≤ the group's committed offset (outputs up to there acknowledged), ≥ its
 * first retained offset and at most `maxTailRecords` behind; the source replays [snapshot offset,
 * committed) as full warm-up. Other partitions are dropped and get the plain window replay.
 *
 * Until an assignment has claimed a partition, a snapshot holds the loaded partitions at their loaded
 * offsets with their series as loaded (less any reset): before 7 Dec 2026 (night, late) it wrote
 * nothing, so a reset just after a restart was not written. After a claim, unclaimed ones are left out.
 *
 * Partitions that go to another instance (`released`) are forgotten: their offsets leave the next
 * snapshot, so a restart never restores their state from an offset another instance moved past.
 * A partition whose chunk failed (applied, outputs unacknowledged: redelivered) is left out until
 * one succeeds: restored at its offset, a restart would drop those records as duplicates (their
 * ticks are in the windows) and never write their outputs. So is one whose chunk a stop gave up on
 * (`giveUpInFlight`: the brokers down), and no chunk is handled after that.
 */
import type { RawRecord } from '../../domain/types.ts';
import { describeError, ErrorCodes, TickcastError } from '../../errors/index.ts';
import { deferred, loop } from '../../lifecycle/abortable.ts';
import type { OutputSink } from '../ports.ts';
import { decodeSnapshot, sealSnapshot, SnapshotLayout } from './codec.ts';
import type { SnapshotFile } from './file-store.ts';
import type { SnapshotLogger, SnapshotStatus } from './status.ts';
import { SnapshotWriteLog } from './write-log.ts';
import { ChunksInFlight } from './in-flight.ts';
import { captureSeries, checkSnapshot, restoreSeriesState, restoreShared, snapshotHead, type RestoreParts, type SnapshotIdentity } from './series-state.ts';
import { warnDetectorsRelearning } from './relearn-warning.ts';
import { SnapshotClaims, type RestoreCandidate } from './claims.ts';
export type { SnapshotLogger } from './status.ts';
export type { RestoreCandidate } from './claims.ts';

export interface SnapshotterOptions {
  parts: RestoreParts;
  identity: SnapshotIdentity;
  file: SnapshotFile;
  /** Periodic snapshots (0: only at shutdown). */
  intervalMs: number;
  /**
   * Longest tail (snapshot offset to committed offset) a partition is restored with:
   * windows.restoreRecordsPerPartition. A longer one costs more than the plain replay it replaces.
   */
  maxTailRecords: number;
  logger: SnapshotLogger;
  now?: () => number;
}

/** Series laid out between two turns of the event loop while a snapshot is taken. */
const YIELD_EVERY = 256;

/** What a written snapshot holds and cost. */
export interface SnapshotWritten { series: number; bytes: number; captureMs: number; writeMs: number }

type Handler = (records: RawRecord[], sink?: OutputSink) => Promise<void>;

export class SeriesSnapshotter {
  readonly #o: SnapshotterOptions;
  readonly #now: () => number;
  /** Partition → next offset after the last record handled. */
  readonly #offsets = new Map<number, bigint>();
  /** Partition → times it was released: a chunk handled across a release records no offset. */
  readonly #releases = new Map<number, number>();
  readonly #chunks = new ChunksInFlight();
  #closed: Promise<void> | null = null;
  /** Snapshot partitions installed at load, not yet claimed by an assignment (claims.ts). */
  readonly #claims: SnapshotClaims;
  #writing: Promise<unknown> = Promise.resolve();
  /** A requested snapshot whose capture has not started yet (requestSnapshot). */
  #requested: Promise<SnapshotWritten | null> | null = null;
  #loop: Promise<void> | null = null;
  readonly #ac = new AbortController();
  /** Warm-up records handled since start: `full` (tail after a snapshot) and `window` (plain replay). */
  readonly replayed = { full: 0, window: 0 };
  /** Start-up costs of the last load and restore (ms), for the restart benchmark and logs. */
  readonly timings = { loadMs: 0, restoreMs: 0 };
  #start: SnapshotStatus['start'] = { loaded: false, reason: 'not loaded yet', series: 0, detectors: 0, loadMs: 0, restoreMs: 0 };
  #last: SnapshotStatus['last'] = null;
  #failures = 0;
  #lastError: SnapshotStatus['lastError'] = null;

  constructor(o: SnapshotterOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#claims = new SnapshotClaims((id) => void o.parts.store.delete(id), o.maxTailRecords, o.logger, this.#now); // through the registry: every holder forgets
  }

  /** Wrap the pipeline's record handler: gate for consistent snapshots, offsets bookkeeping. */
  wrap(handle: Handler): Handler {
    return async (records, sink) => {
      while (this.#closed) await this.#closed;
      if (this.#chunks.givenUp) throw new TickcastError(ErrorCodes.SHUTTING_DOWN, 'the service is stopping: the chunk is not handled (its offsets stay uncommitted)', { retriable: true });
      const last = records[records.length - 1];
      const partition = last?.source.partition ?? -1;
      this.#chunks.begin(partition);
      for (const r of records) if (r.warmup) this.replayed[r.warmupFull ? 'full' : 'window']++;
      const releases = last ? this.#releases.get(partition) : undefined;
      try {
        await handle(records, sink);
        if (last && !this.#chunks.givenUp && this.#releases.get(partition) === releases) this.#offsets.set(partition, BigInt(last.source.offset) + 1n);
      } catch (err) {
        // Applied, outputs unacknowledged: a snapshot of the partition now would lose them on restart (see the header).
        if (last) this.#offsets.delete(partition);
        throw err;
      } finally {
        this.#chunks.end(partition);
      }
    };
  }

  /** Read and check the snapshot file; a missing, corrupt or foreign one is logged and ignored. */
  async load(): Promise<boolean> {
    const started = this.#now();
    try {
      const bytes = await this.#o.file.read();
      if (!bytes) {
        this.#o.logger.info({ file: this.#o.file.path }, 'no series-state snapshot: windows are rebuilt by replay');
        this.#start = { ...this.#start, reason: 'no snapshot file' };
        return false;
      }
      const tree = checkSnapshot(decodeSnapshot(bytes, { views: true }), this.#o.identity);
      this.timings.loadMs = this.#now() - started;
      // Install everything now, before the consumer joins the group (restoring 10,000 mature
      // series takes seconds: inside the group protocol it would cost the session). At the first
      // assignment that includes a partition, its series are kept or dropped (restoreFrom).
      const t0 = this.#now();
      const all = new Set(Object.keys(tree.offsets).map(Number));
      // Incidents first: a series evicted while the series go in (fewer fit now) resolves into its incident.
      const { renamed, ...shared } = await restoreShared(this.#o.parts, tree);
      const restored = restoreSeriesState(this.#o.parts, tree, all, t0);
      this.timings.restoreMs = this.#now() - t0;
      this.#claims.loaded(tree.offsets, tree.series);
      this.#o.logger.info({ file: this.#o.file.path, bytes: bytes.length, series: restored.series, detectors: restored.detectors, ...shared, offsets: tree.offsets, loadMs: this.timings.loadMs, restoreMs: this.timings.restoreMs, ...(renamed.length > 0 ? { renamedSeries: renamed.length, renamed: renamed.slice(0, 10) } : {}) }, 'series-state snapshot loaded');
      this.#start = { loaded: true, reason: null, series: restored.series, detectors: restored.detectors, ...this.timings };
      warnDetectorsRelearning(this.#o.logger, this.#o.file.path, this.#o.parts, tree, restored);
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      this.#start = { ...this.#start, reason: `snapshot ignored: ${code ?? ''} ${(err as Error).message}`.trim() };
      this.#o.logger.warn({ file: this.#o.file.path, code, err: describeError(err) }, 'series-state snapshot ignored: windows are rebuilt by replay');
      return false;
    }
  }

  /**
   * The source's restore hook: keep the restored series of the partitions the snapshot covers and
   * return partition → offset to replay (as full warm-up) from; drop the series of partitions it
   * cannot serve, or whose tail is longer than the plain replay (`maxTailRecords`; claims.ts). Empty
   * when there is no snapshot (or it was used).
   */
  restoreFrom(candidates: readonly RestoreCandidate[]): Map<number, bigint> {
    const out = this.#claims.restoreFrom(candidates);
    for (const [p, from] of out) this.#offsets.set(p, from);
    return out;
  }

  /**
   * Partitions that went to another instance: their offsets are forgotten (the next snapshot does
   * not cover them), and a chunk of theirs still being handled records none. Their series are
   * dropped by whoever owns series lifetime (src/pipeline/partition-release.ts).
   */
  released(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.#offsets.delete(p);
      this.#releases.set(p, (this.#releases.get(p) ?? 0) + 1);
    }
  }

  /**
   * Snapshot series of partitions no assignment has claimed within 5 minutes of loading are dropped
   * (another instance owns them; claims.ts). Called on each assignment and by the periodic loop.
   */
  dropUnclaimed(): void {
    this.#claims.dropUnclaimed();
  }

  /**
   * A snapshot whose capture starts after this call (a change the next restart must see: a series
   * reset, src/pipeline/series-reset.ts). Calls made before that capture starts share it, so a burst
   * of resets writes one file, not one each; null when there is nothing to capture yet.
   */
  requestSnapshot(): Promise<SnapshotWritten | null> {
    if (this.#requested) return this.#requested;
    const req = this.snapshot(() => {
      if (this.#requested === req) this.#requested = null; // capturing: a later change needs a later capture
    });
    this.#requested = req;
    void req.catch(() => undefined).finally(() => {
      if (this.#requested === req) this.#requested = null;
    });
    return req;
  }

  /** Take a snapshot now (waits for chunks in flight) and write it; resolves with its size. `onCapture`: called as the capture starts. */
  async snapshot(onCapture?: () => void): Promise<SnapshotWritten | null> {
    try {
      const t0 = this.#now();
      const taken = await this.#quiesce(() => (onCapture?.(), this.#capture()));
      if (!taken) return null;
      const t1 = this.#now();
      const write = this.#writing.then(() => this.#o.file.write(sealSnapshot(taken.body)));
      this.#writing = write.catch(() => undefined);
      const bytes = await write;
      const done = { series: taken.series, bytes, captureMs: t1 - t0, writeMs: this.#now() - t1 };
      this.#last = { atMs: this.#now(), ...done };
      return done;
    } catch (err) {
      this.#failures++;
      this.#lastError = { atMs: this.#now(), message: describeError(err) };
      throw err;
    }
  }

  status(): SnapshotStatus {
    const [last, lastError] = [this.#last && { ...this.#last }, this.#lastError && { ...this.#lastError }];
    return { file: this.#o.file.path, intervalMs: this.#o.intervalMs, last, failures: this.#failures, lastError, start: { ...this.#start }, replayed: { ...this.replayed } };
  }

  /** Periodic snapshots until `stop()`. */
  start(): void {
    if (this.#o.intervalMs <= 0 || this.#loop) return;
    const log = new SnapshotWriteLog(this.#o.logger, this.#o.file.path);
    this.#loop = loop(this.#o.intervalMs, this.#ac.signal, async () => {
      this.dropUnclaimed();
      const r = await this.snapshot();
      if (r) log.written(r);
    }, (err) => log.failed(err));
  }

  /** A stop gave up the chunks in flight (outputs unacknowledged): their partitions leave the snapshot (see the header); returns them. */
  giveUpInFlight(): number[] {
    return this.#chunks.giveUp().map((p) => (this.#offsets.delete(p), p));
  }

  /** Stop the loop and write a last snapshot (call after the source has stopped: all committed). */
  async stop(): Promise<void> {
    this.#ac.abort();
    await this.#loop;
    try {
      const r = await this.snapshot();
      if (r) this.#o.logger.info(r, 'series-state snapshot written at shutdown');
    } catch (err) {
      this.#o.logger.warn({ err: describeError(err) }, 'series-state snapshot at shutdown failed; the previous one stays');
    }
  }

  /**
   * Inside the gate: each series' state, laid out with its bytes copied, in slices of
   * YIELD_EVERY series with a turn of the event loop between them (the pipeline stays held, but
   * consumer heartbeats and HTTP go on: 10,000 mature series are ~270 MB).
   */
  async #capture(): Promise<{ series: number; body: Buffer[] } | null> {
    // None claimed yet: the loaded partitions at their loaded offsets (a reset just after a restart must still be written).
    const offsets = this.#offsets.size > 0 ? new Map(this.#offsets) : this.#claims.offsets();
    if (offsets.size === 0) return null;
    const parts = this.#o.parts;
    const layout = new SnapshotLayout(true);
    let series = 0;
    const ids = [...parts.store.ids()];
    for (let i = 0; i < ids.length; i++) {
      const e = captureSeries(parts, ids[i], offsets);
      // Each series its own piece of the file: no string grows with the series count (codec.ts).
      if (e) {
        layout.entry(e);
        series++;
      }
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((r) => setImmediate(r));
    }
    return { series, body: layout.finish(layout.json(snapshotHead(parts, this.#o.identity, offsets, this.#now()))) };
  }

  async #quiesce<T>(capture: () => Promise<T>): Promise<T> {
    while (this.#closed) await this.#closed;
    const gate = deferred();
    this.#closed = gate.promise;
    try {
      await this.#chunks.idle();
      return await capture();
    } finally {
      this.#closed = null;
      gate.resolve();
    }
  }
}
