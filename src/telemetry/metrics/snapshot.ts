import { Counter, Gauge, type Registry } from 'prom-client';
import { StatusGauge } from '../status-gauge.ts';

/** What the snapshot metrics read at each scrape (the snapshotter's status, structurally). */
interface SnapshotReadings {
  intervalMs: number;
  last: { atMs: number; series: number; bytes: number; captureMs: number; writeMs: number } | null;
  failures: number;
  replayed: { full: number; window: number };
}

/**
 * tickcast_snapshot_* and tickcast_warmup_records_total: what the series-state snapshotter has
 * done, read from its status when Prometheus scrapes (absent while snapshots are off or, for the
 * last-snapshot series, until one is written; ../status-gauge.ts). The rule TickcastSnapshotStale.
 */
export function snapshotMetrics(registers: Registry[]) {
  let read: (() => SnapshotReadings) | null = null;
  let startedS = 0;
  const status = () => read?.() ?? null;
  const gauge = (name: string, help: string, value: (s: SnapshotReadings) => number | null) => new StatusGauge<SnapshotReadings>(registers, status, name, help, value);
  return {
    /** Read these metrics from the snapshotter at each scrape. */
    watchSnapshots(r: () => SnapshotReadings): void {
      read = r;
      startedS = Date.now() / 1000;
    },
    // TickcastSnapshotStale's reference until the first snapshot; until 7 Dec 2026 it read process_start_time_seconds,
    // which telemetry.defaultMetrics false leaves out, so there it never fired before a first snapshot.
    snapshotStarted: gauge('tickcast_snapshot_started_timestamp_seconds', 'Unix time series-state snapshots began on this process.', () => startedS),
    snapshotLastSuccess: gauge('tickcast_snapshot_last_success_timestamp_seconds', 'Unix time the last series-state snapshot was written.', (s) => (s.last ? s.last.atMs / 1000 : null)),
    snapshotBytes: gauge('tickcast_snapshot_bytes', 'Size of the last series-state snapshot file.', (s) => s.last?.bytes ?? null),
    snapshotSeries: gauge('tickcast_snapshot_series', 'Series in the last series-state snapshot.', (s) => s.last?.series ?? null),
    snapshotInterval: gauge('tickcast_snapshot_interval_seconds', 'Configured time between periodic series-state snapshots (0: only at shutdown).', (s) => s.intervalMs / 1000),
    snapshotDuration: new Gauge({
      name: 'tickcast_snapshot_duration_seconds',
      help: 'Duration of the last snapshot by phase: capture (intake held) and write (checksum, write, fsync; intake flowing).',
      labelNames: ['phase'] as const,
      registers,
      collect() {
        const last = status()?.last;
        if (!last) return;
        this.set({ phase: 'capture' }, last.captureMs / 1000);
        this.set({ phase: 'write' }, last.writeMs / 1000);
      },
    }),
    snapshotFailures: new Counter({
      name: 'tickcast_snapshot_failures_total',
      help: 'Series-state snapshots that failed since start (the previous snapshot file stays).',
      registers,
      collect() {
        const s = status();
        if (!s) return;
        this.reset();
        this.inc(s.failures);
      },
    }),
    warmupRecords: new Counter({
      name: 'tickcast_warmup_records_total',
      help: 'Input records re-read since start to rebuild state, by kind: full (the tail after a snapshot, through inference and the detector) or window (plain replay: windows and the detector, no model). Counted while snapshots are on.',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        const s = status();
        if (!s) return;
        this.reset();
        this.inc({ kind: 'full' }, s.replayed.full);
        this.inc({ kind: 'window' }, s.replayed.window);
      },
    }),
  };
}
