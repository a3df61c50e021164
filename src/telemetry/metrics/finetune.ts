import { Counter, Gauge, type Registry } from 'prom-client';

/** Online fine-tuning (issue 6) and the fine-tune lease of a shared model directory. */
export function finetuneMetrics(r: Registry[]) {
  return {
    trainLoss: new Gauge({ name: 'tickcast_finetune_loss', help: 'Pinball loss of the last fine-tune round (training data).', registers: r }),
    challengerError: new Gauge({ name: 'tickcast_finetune_eval_error', help: 'Hold-out/shadow error of champion and challenger in the last gate.', labelNames: ['role'] as const, registers: r }),
    finetuneRounds: new Counter({ name: 'tickcast_finetune_rounds_total', help: 'Fine-tune rounds by outcome (promoted, discarded, aborted; a promotion\'s watch: rolled_back, kept, replaced — an operator served a newer version —, aborted). A manual change of the serving version counts only when it ends a watch (tickcast_model_manual_changes_total counts every one).', labelNames: ['outcome'] as const, registers: r }),
    finetuneLeaseHeld: new Gauge({ name: 'tickcast_finetune_lease_held', help: '1 while this replica holds the fine-tune lease of a shared model directory (it alone fine-tunes and promotes); without model.dir, 1 wherever fine-tuning is on (nothing to lease).', registers: r }),
    finetuneFenced: new Counter({ name: 'tickcast_finetune_fenced_writes_total', help: 'Promotion (and automatic rollback) writes to a shared model directory refused because the fine-tune lease moved to another replica (epoch) after this one checked it (a stalled holder).', registers: r }),
    trainerRestarts: new Counter({ name: 'tickcast_finetune_trainer_restarts_total', help: 'Fine-tune trainer (process or thread) restarts after it died.', registers: r }),
    replayBufferSize: new Gauge({ name: 'tickcast_replay_buffer_size', help: 'Training pairs in the replay buffer.', registers: r }),
    driftEvents: new Counter({ name: 'tickcast_drift_detected_total', help: 'Drift detections on forecast residuals.', registers: r }),
  };
}
