/**
 * What a series-state snapshot holds and how it is taken and put back: per series its window and
 * normalisation statistics (window store), its last forecast and score (series outlook), the
 * anomaly detector's state, fusion's state, and the input partition it arrives on; plus the input offsets the
 * state reflects (per partition, the next offset after the last record handled), and the open
 * grouped incidents and the alert index (not per series or partition: they span them).
 *
 * Capture is synchronous and copies everything, so the caller can write the result while the
 * pipeline moves on. Restore is per partition: the source restores only partitions whose tail it
 * can replay from the snapshot's offset; series of other partitions are not installed.
 */
import { createHash } from 'node:crypto';
import type { SeriesRegistry } from '../../domain/series-registry.ts';
import type { WindowSeriesState, WindowStore } from '../../domain/window-store.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { ForecastStep } from '../../domain/types.ts';
import type { OutlookEntry, SeriesOutlook } from '../series-outlook.ts';
import { fillFrom, fullArray, toPlain } from './plain-state.ts';
import { ID_LAYOUT, renameLegacyIds } from './legacy-ids.ts';
import type { SeriesUnits } from '../series-units.ts';

/** The anomaly detector's snapshot hooks (AnomalyDetector implements them). */
export interface DetectorSnapshotHooks {
  readonly config: object;
  /** Version of the saved per-series state's shape (absent: 1); part of the fingerprint. */
  readonly stateLayout?: number;
  exportSeries(series: string): object | undefined;
  importSeries(series: string, features: readonly string[], fill: (fresh: object) => void): void;
}

/** What the snapshot must match to be used: same input, same model shape, same detector config. */
export interface SnapshotIdentity {
  topic: string;
  groupId: string;
  window: number;
  features: readonly string[];
  /** The model's spec.logFeatures: the statistics are in ln space for these (absent in older snapshots: none). */
  logFeatures?: readonly string[];
}

export interface SeriesStateParts {
  store: WindowStore;
  outlook: SeriesOutlook;
  detector: DetectorSnapshotHooks | null;
  homes: SeriesHomes;
  /** Each series' first unit per feature (SeriesUnits; absent or null: input.format json). */
  units?: Pick<SeriesUnits, 'exportSeries' | 'importSeries'> | null;
  /** Fusion with fast baselines (ForecastFusion implements it; absent or null: off). */
  fusion?: { exportSeries(series: string): object | undefined; importSeries(series: string, fill: (fresh: object) => void): void } | null;
  /** The incident grouper (IncidentGrouper implements it; absent or null: incidents off). */
  incidents?: { exportState(): object; importState(state: unknown): number } | null;
  /** The alert index of feedback (AlertIndex implements it; absent or null: not kept). */
  alertIndex?: { exportState(): object; importState(state: unknown): number } | null;
  /** The feedback gate's open alerts, sent or held back (FeedbackGate implements it; absent or null: feedback off). */
  gate?: { exportSeries(series: string): object | undefined; importSeries(series: string, saved: unknown): void } | null;
}

/**
 * What a restore is given: the parts, and the features the detector scores now (anomaly.features;
 * absent: every saved one) — not state, so not a part the snapshot captures; `feedback` (FeedbackService;
 * absent or null: feedback off) has the feedback on ids renamed by `renameLegacyId` moved with them.
 */
export type RestoreParts = SeriesStateParts & { scored?: readonly string[]; renameLegacyId?: (id: string) => string | null; feedback?: { renameSeries(rename: (id: string) => string | null, idLayout: number): Promise<number> } | null };

export interface SeriesEntry {
  id: string;
  p: number;
  w: WindowSeriesState;
  b: OutlookEntry | null;
  d: Record<string, unknown> | null;
  /** Fusion's state of the series (absent in snapshots before 5 Dec 2026, or with fusion off). */
  f?: Record<string, unknown> | null;
  /** The feedback gate's open alerts of the series (absent in snapshots before 6 Dec 2026, or none open). */
  g?: Record<string, unknown>;
  /** The unit each feature was first sent in, '' for none yet (SenML; absent in snapshots before 7 Dec 2026, or none known). */
  u?: string[];
}

export interface SnapshotTree {
  identity: SnapshotIdentity & { detector: string | null };
  createdAtMs: number;
  /** Partition → next offset (decimal string) after the last record the state reflects. */
  offsets: Record<string, string>;
  /** The grouper's open incidents (incident-state.ts; absent in snapshots before 6 Dec 2026, or with incidents off). */
  incidents?: unknown;
  /** The alert index, recent firing alerts by id (alert-index.ts; absent in snapshots before 6 Dec 2026). */
  alerts?: unknown;
  /** ID_LAYOUT of the build that wrote it (legacy-ids.ts; absent: before 7 Dec 2026, evening, when SenML baseName ids kept bn's trailing separator). */
  idLayout?: number;
  series: SeriesEntry[];
}


/** Series → the input partition its ticks arrive on; follows the series registry. */
export class SeriesHomes {
  readonly #home = new Map<string, number>();

  constructor(registry: SeriesRegistry) {
    registry.follow((series) => this.#home.delete(series));
  }

  get size(): number {
    return this.#home.size;
  }

  note(series: string, partition: number): void {
    this.#home.set(series, partition);
  }

  get(series: string): number | undefined {
    return this.#home.get(series);
  }

  /** Series whose ticks arrive on one of `partitions`. */
  seriesOn(partitions: ReadonlySet<number>): string[] {
    const out: string[] = [];
    for (const [series, p] of this.#home) if (partitions.has(p)) out.push(series);
    return out;
  }
}

/**
 * A fingerprint of the detector's configuration and state layout: its saved state only fits the
 * same config in the same shape (a new release that changes the shape starts detectors fresh).
 * `staleFeatureMs` is left out: it changes no state, only when an alert of a missing feature
 * resolves — with it, the release that added it (and every change of windows.idleEvictMs, its
 * default) would have started every detector afresh.
 */
export function detectorFingerprint(detector: DetectorSnapshotHooks | null): string | null {
  if (!detector) return null;
  const { staleFeatureMs: _stale, ...config } = detector.config as { staleFeatureMs?: number };
  const h = createHash('sha256').update(JSON.stringify(config));
  if ((detector.stateLayout ?? 1) !== 1) h.update(`layout ${detector.stateLayout}`);
  return h.digest('hex').slice(0, 16);
}

/** Everything but the series: identity, time, offsets, open incidents, alert index. */
export function snapshotHead(parts: SeriesStateParts, identity: SnapshotIdentity, offsets: ReadonlyMap<number, bigint>, nowMs: number): Omit<SnapshotTree, 'series'> {
  return {
    identity: { ...identity, features: [...identity.features], logFeatures: [...(identity.logFeatures ?? [])], detector: detectorFingerprint(parts.detector) },
    createdAtMs: nowMs,
    idLayout: ID_LAYOUT,
    offsets: Object.fromEntries([...offsets].map(([p, o]) => [String(p), String(o)])),
    ...(parts.incidents ? { incidents: parts.incidents.exportState() } : {}),
    ...(parts.alertIndex ? { alerts: parts.alertIndex.exportState() } : {}),
  };
}

/**
 * Install the snapshot's open incidents — before the series (`restoreSeriesState`): a series
 * evicted while they are installed resolves its open alerts then, into its restored incident —
 * (all of them: an incident's series may be on partitions
 * the restore drops; then no alert joins it and it closes after its span, publishing `closed`; a
 * member still firing whose series never ticks here is released after idleCloseMs) and
 * its alert index (all of it: feedback on an alert of a partition now elsewhere still applies).
 * Returns how many of each; 0 for a snapshot without them (older), or incidents of another grouping;
 * and the ids of an older layout renamed (renameLegacyIds, done here so the alert index goes in renamed;
 * `feedbackRenamed`: feedback entries moved to the new ids, or why they were not written).
 */
export async function restoreShared(parts: RestoreParts, tree: SnapshotTree): Promise<{ incidents: number; alerts: number; renamed: Array<[string, string]>; feedbackRenamed?: number | string }> {
  const legacy = tree.idLayout === undefined ? parts.renameLegacyId : undefined;
  const renamed = renameLegacyIds(tree, parts.renameLegacyId); // an older layout's ids first, the alert index's too (legacy-ids.ts)
  // The feedback given on them too (a failed log append: its message, logged; the feedback is in effect under the new id all the same).
  const feedbackRenamed = legacy && parts.feedback ? await parts.feedback.renameSeries(legacy, ID_LAYOUT).catch((err: unknown) => `not written to the feedback log: ${(err as Error).message}`) : undefined;
  return {
    renamed,
    ...(feedbackRenamed ? { feedbackRenamed } : {}),
    incidents: tree.incidents !== undefined && parts.incidents ? parts.incidents.importState(tree.incidents) : 0,
    alerts: tree.alerts !== undefined && parts.alertIndex ? parts.alertIndex.importState(tree.alerts) : 0,
  };
}

/**
 * One series' state (null when it has no partition with an offset yet). The window's and the
 * detector's arrays are referenced, not copied: lay the entry out before the pipeline moves on
 * (the snapshotter copies them into its layout at once, with the pipeline held).
 */
export function captureSeries(parts: SeriesStateParts, id: string, offsets: ReadonlyMap<number, bigint>): SeriesEntry | null {
  const p = parts.homes.get(id);
  const w = parts.store.exportSeries(id, false);
  if (p === undefined || !offsets.has(p) || w === null) return null;
  const b = parts.outlook.peek(id);
  const d = parts.detector?.exportSeries(id);
  const skip = new Set<object>(parts.detector ? [parts.detector.config] : []);
  const f = parts.fusion?.exportSeries(id);
  const g = parts.gate?.exportSeries(id) as Record<string, unknown> | undefined;
  const u = parts.units?.exportSeries(id);
  return { id, p, w, b: b ? copyEntry(b) : null, d: d ? toPlain(d, skip, false) : null, f: f ? toPlain(f, skip, false) : null, ...(g ? { g } : {}), ...(u ? { u } : {}) };
}

function copyEntry(b: OutlookEntry): OutlookEntry {
  const steps = (h: readonly ForecastStep[]) => h.map((st) => ({ ...st }));
  // Every target's steps too (a multi-target model's: the next ticks' expectations, and what the series view shows).
  const f = <T extends NonNullable<OutlookEntry['baseline']>>(x: T | null | undefined) =>
    x ? { ...x, horizon: steps(x.horizon), ...(x.targets ? { targets: x.targets.map(steps) } : {}), ...(x.closedSteps ? { closedSteps: [...x.closedSteps] } : {}) } : x;
  // firingFeatures goes out as an array (the codec knows no Set); SeriesOutlook.restore makes it a Set again.
  const firingFeatures = [...b.firingFeatures] as unknown as Set<string>;
  const forecast = f(b.forecast) ?? null;
  // (A copy, not the live entry: its `open` may be set here.)
  const out: Omit<OutlookEntry, 'open'> & { open?: OutlookEntry['open'] } = { forecast, ticksSince: b.ticksSince, lastScore: b.lastScore, firing: b.firing, firingFeatures };
  if (b.baseline !== undefined) out.baseline = f(b.baseline) ?? null;
  if (b.served !== undefined) out.served = f(b.served) ?? null;
  // Open alerts (plain JSON): a series restored firing and evicted later still resolves (tick-alerts.ts).
  if (b.open && Object.keys(b.open).length > 0) out.open = JSON.parse(JSON.stringify(b.open)) as OutlookEntry['open'];
  return out;
}

/** Check a decoded tree against the running service; throws TC_SNAPSHOT_INCOMPATIBLE / _CORRUPT. */
export function checkSnapshot(tree: unknown, identity: SnapshotIdentity): SnapshotTree {
  const t = tree as SnapshotTree;
  if (!t || typeof t !== 'object' || !t.identity || !Array.isArray(t.series) || typeof t.offsets !== 'object') {
    throw new TickcastError(ErrorCodes.SNAPSHOT_CORRUPT, 'snapshot content is not a series-state snapshot');
  }
  const want = { topic: identity.topic, groupId: identity.groupId, window: identity.window, features: [...identity.features], logFeatures: [...(identity.logFeatures ?? [])] };
  const got = { topic: t.identity.topic, groupId: t.identity.groupId, window: t.identity.window, features: t.identity.features, logFeatures: t.identity.logFeatures ?? [] };
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    throw new TickcastError(ErrorCodes.SNAPSHOT_INCOMPATIBLE, `snapshot was written for ${JSON.stringify(got)}; this service runs ${JSON.stringify(want)}`);
  }
  return t;
}

/**
 * Install the series of `partitions` from the snapshot. Detector state is installed only when the
 * detector's configuration is the one it was saved with (else those series' detectors start
 * fresh); a series whose saved detector state does not fit (a shape the fingerprint did not
 * catch) gets a fresh detector too, and the rest of the snapshot is still installed — never half
 * a snapshot and a replay on top of it. Returns how many series and detectors were installed.
 */
export function restoreSeriesState(parts: RestoreParts, tree: SnapshotTree, partitions: ReadonlySet<number>, nowMs: number): RestoreCounts {
  const renamed = renameLegacyIds(tree, parts.renameLegacyId);
  const sameDetector = tree.identity.detector !== null && tree.identity.detector === detectorFingerprint(parts.detector);
  let series = 0;
  let detectors = 0;
  let unresolved = 0;
  for (const e of tree.series) {
    if (!partitions.has(e.p)) continue;
    const w = e.w;
    parts.store.importSeries(e.id, { ...w, values: fullArray(w.values), ts: fullArray(w.ts), mean: fullArray(w.mean), m2: fullArray(w.m2), last: fullArray(w.last) }, nowMs);
    parts.homes.note(e.id, e.p);
    if (e.u) parts.units?.importSeries(e.id, e.u);
    if (e.b) parts.outlook.restore(e.id, e.b);
    const before = detectors;
    if (e.d && sameDetector && parts.detector) {
      try {
        const d = scoredOnly(e.d, parts.scored);
        parts.detector.importSeries(e.id, Object.keys(d), (fresh) => fillFrom(fresh, d));
        detectors++;
        if (e.g) parts.gate?.importSeries(e.id, scoredOnly(e.g, parts.scored)); // what it held back goes with the detector state that fires
      } catch {
        // importSeries installs nothing when the fill fails: this series' detector starts fresh.
      }
    }
    // A fresh detector is not firing: its open alerts are resolved (reason "reset") by TickAlerts.
    // A snapshot from before open alerts were saved (5 Dec 2026) leaves nothing to resolve them from.
    if (e.b && detectors === before && e.b.firing && !e.b.open) unresolved++;
    if (e.b && detectors === before) parts.outlook.detectorReset(e.id);
    try {
      if (e.f && parts.fusion) parts.fusion.importSeries(e.id, (fresh) => fillFrom(fresh, e.f!));
    } catch {
      // Another shape (the model's horizon changed): fusion scores this series afresh.
    }
    series++;
  }
  return { series, detectors, unresolved, ...(renamed.length > 0 ? { renamed } : {}) };
}

/** What `restoreSeriesState` installed; `unresolved`: series firing in the snapshot, reset, whose open alerts it did not hold; `renamed`: [old, new] ids (renameLegacyIds), when any. */
export interface RestoreCounts {
  series: number;
  detectors: number;
  unresolved: number;
  renamed?: Array<[string, string]>;
}

/**
 * A series' saved per-feature state, less the features no longer scored (`scored`: the features
 * the detector scores now, anomaly.features; absent: keep every one) — nothing would observe,
 * resolve or drop them; an open alert of one is resolved (reason "reset") by TickAlerts. Before 6 Dec 2026 a
 * restart that changed anomaly.features from all to targets installed every saved feature: each
 * series kept ≈ 54 KiB of detector state per dropped feature for good, snapshot after snapshot.
 */
function scoredOnly(saved: Record<string, unknown>, scored: readonly string[] | undefined): Record<string, unknown> {
  if (scored === undefined) return saved;
  return Object.fromEntries(Object.entries(saved).filter(([f]) => scored.includes(f)));
}
