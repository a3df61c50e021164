import { Counter, Gauge, type Registry } from 'prom-client';

/** tickcast_model_unfinished_versions, read at each scrape from the function `watch` was given (the version registry's count; 0 before). */
function unfinishedVersionsGauge(registers: Registry[]) {
  let read = () => 0;
  new Gauge({
    name: 'tickcast_model_unfinished_versions',
    help: 'Fine-tuned versions in model.dir that a promotion saved but never recorded as current (found at start, TC_MODEL_PROMOTION_UNFINISHED): not served; listed in GET /v1/model unfinishedVersions until served by hand or pruned.',
    registers,
    collect() {
      this.set(read());
    },
  });
  return {
    watch(fn: () => number): void {
      read = fn;
    },
  };
}

/** The serving model: version, promotions and rollbacks, pins, what model.dir could not record. */
export function modelMetrics(r: Registry[]) {
  return {
    modelInfo: new Gauge({ name: 'tickcast_model_info', help: 'The serving model (value 1).', labelNames: ['version', 'engine', 'backend'] as const, registers: r }),
    modelUnfinishedVersions: unfinishedVersionsGauge(r),
    modelDirUnrecorded: new Gauge({ name: 'tickcast_model_dir_unrecorded', help: '1 while the serving version (or its pin) could not be recorded in model.dir (full, read-only, permissions; TC_MODEL_DIR_UNWRITABLE): retried every model.followIntervalMs.', registers: r }),
    modelLastPromotion: new Gauge({ name: 'tickcast_model_last_promotion_timestamp_seconds', help: 'Unix time this replica loaded its model at start or last changed to a newer version (a promotion, here or followed from model.dir; a manual change forward). A rollback to an older version leaves it as it was (before 6 Dec 2026 it reset it, and with it TickcastModelStale): see tickcast_model_last_rollback_timestamp_seconds.', registers: r }),
    modelLastRollback: new Gauge({ name: 'tickcast_model_last_rollback_timestamp_seconds', help: 'Unix time this replica last changed to an older version than the one serving (automatic or manual rollback, here or followed from model.dir); 0: none since start.', registers: r }),
    modelManualChanges: new Counter({ name: 'tickcast_model_manual_changes_total', help: 'Changes of the serving version made on this replica through POST /v1/model/rollback, by direction (older: a rollback; newer: a re-promotion); fine-tuning on or off. Not fine-tune rounds (tickcast_finetune_rounds_total), not versions followed from a shared model.dir.', labelNames: ['direction'] as const, registers: r }),
    modelPinned: new Gauge({ name: 'tickcast_model_pinned', help: '1 while the serving model is pinned (POST /v1/model/rollback with pin, here or on a replica sharing model.dir): fine-tuning does not replace it, and TickcastModelStale stays quiet.', registers: r }),
  };
}
