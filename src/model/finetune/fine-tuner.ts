/**
 * Online fine-tuning orchestrator (work in progress: this build only logs that fine-tuning is not
 * available yet; the worker, replay buffer and promotion gate land next).
 */
import type { Config } from '../../config/load.ts';
import type { LiveEvent } from '../../pipeline/ports.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { ModelArtifact } from '../checkpoints.ts';
import type { WeightMap } from '../weight-names.ts';

export interface FineTunerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The serving version (weights are never mutated). */
  champion: () => ModelArtifact & { version: string };
  isPinned: () => boolean;
  /** Save and serve new weights as the next version; resolves to its label. */
  promote: (weights: WeightMap, meta: Record<string, unknown>) => Promise<string>;
  /** Serve an earlier version again. */
  rollbackTo: (version: string, reason: string) => Promise<void>;
}

export class FineTuner {
  readonly #d: FineTunerDeps;
  constructor(deps: FineTunerDeps) {
    this.#d = deps;
  }
  observe(_e: LiveEvent): void {}
  championChanged(_why: string): void {}
  status(): Record<string, unknown> {
    return { state: 'unavailable' };
  }
  async start(): Promise<void> {
    this.#d.logger.warn('finetune.enabled is set but online fine-tuning is not available in this build yet');
  }
  async stop(): Promise<void> {}
}
