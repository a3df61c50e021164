/** The series-state snapshotter's status and logger (types only: ports.ts and the snapshotter share them). */

export interface SnapshotLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the snapshotter has done: GET /v1/snapshots, the snapshot_status tool, tickcast_snapshot_* metrics. */
export interface SnapshotStatus {
  file: string;
  intervalMs: number;
  /** The last snapshot written (null: none since start). */
  last: { atMs: number; series: number; bytes: number; captureMs: number; writeMs: number } | null;
  /** Snapshots that failed since start, and the last failure. */
  failures: number;
  lastError: { atMs: number; message: string } | null;
  /** At start: whether a snapshot was loaded (else why not), what it restored, what was replayed. */
  start: { loaded: boolean; reason: string | null; series: number; detectors: number; loadMs: number; restoreMs: number };
  /** Warm-up records handled since start: `full` (the tail after the snapshot) and `window` (plain replay). */
  replayed: { full: number; window: number };
}
