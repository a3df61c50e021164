/**
 * The contracts of ./promoter.ts: what the fine-tuner may ask of it (ChampionControl) and what it
 * is built from (PromoterDeps).
 */
import type { PredictorSlot } from '../pipeline/ports.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { EngineBuilder, EngineOffload } from './engine-builder.ts';
import type { CurrentChange, DirectoryTarget } from './shared-dir/current-pointer.ts';
import type { ModelVersion, VersionRegistry } from './version-registry.ts';
import type { WeightMap } from './weight-names.ts';

/** What the fine-tuner needs from the model lifecycle (the Promoter). */
export interface ChampionControl {
  /** The serving version (its weights are never mutated). */
  readonly champion: ModelVersion;
  readonly pinned: boolean;
  /** Save and serve new weights as the next version; resolves to its label. */
  promote(weights: WeightMap, meta: Record<string, unknown>, offload: EngineOffload): Promise<string>;
  /** Serve an earlier version again (refused while pinned, or when `from` no longer serves). */
  rollbackTo(version: string, reason: string, offload?: EngineOffload, from?: string): Promise<void>;
}

export interface PromoterDeps {
  registry: VersionRegistry;
  build: EngineBuilder;
  slot: PredictorSlot;
  /** The version the slot serves at construction. */
  serving: ModelVersion;
  logger: Logger;
  metrics: Metrics;
  /** The serving version was pinned before this start (pin-file.ts). */
  pinned?: boolean;
  /** Records the pin where a restart finds it (pin-file.ts; absent without a model dir). */
  savePin?: (version: string | null) => Promise<void>;
  /** Records the serving version after each change where restarts and other replicas find it (shared-dir/current-pointer.ts); `fenced`: a promotion's write, refused when the lease moved on; `change`: what made it. */
  saveCurrent?: (version: string, fenced: boolean, change: CurrentChange) => Promise<void>;
  /** Asked right before a promotion saves a version: false refuses it (shared-dir/lease.ts: another replica holds the fine-tune lease). */
  mayPromote?: () => Promise<boolean>;
  /** Called right before a promotion's writes (its version's rename, the swap): throws when the lease `mayPromote` saw was taken over meanwhile (a stalled holder). */
  fence?: () => Promise<void>;
  /** What the directory records (pin, else current version), as `follow` reads it: read when a record fails, so following does not undo the change. */
  readRecorded?: () => Promise<DirectoryTarget>;
  /** Run by each follow, in the serialised section (this replica's own promotion is never half done then): notes unfinished promotions saved since the start (./unfinished-promotions.ts). */
  scanUnfinished?: () => Promise<void>;
}
