/**
 * One global hybrid trained the way the benchmarks train it: from the given start (the linear
 * skip warm-started by the caller, or not), with early stopping on the validation set, an optional
 * wall-clock budget, and — as `tickcast train` does — the starting weights kept when no epoch
 * beats them on validation (fit's startValLoss). Shared by bench:m4 and bench:accuracy's channel-independent setting.
 */
import type { HybridModel } from '../src/model/hybrid-model.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { fit, type FitResult } from '../src/model/fit.ts';
import type { Dataset } from '../src/model/train.ts';

export interface GlobalFitOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** Validate and keep the moving average of the weights, time constant in epochs (src/model/fit.ts); off when absent. */
  emaEpochs?: number;
  patience: number;
  seed: number;
  /** Wall-clock cap in ms (off when absent). */
  budgetMs?: number;
  /** Called after each epoch with its mean training loss and validation pinball loss. */
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number) => void;
}

export interface GlobalFit {
  result: FitResult;
  /** Validation pinball loss of the starting weights. */
  initialVal: number;
  /** No epoch beat the start on validation: the starting weights were restored. */
  keptStart: boolean;
  minutes: number;
}

export async function fitGlobal(model: HybridModel, train: Dataset, val: Dataset, o: GlobalFitOptions): Promise<GlobalFit> {
  const initialVal = evaluate(model, val).pinball;
  const t0 = performance.now();
  const ac = new AbortController();
  const timer = o.budgetMs === undefined ? null : setTimeout(() => ac.abort(new Error('time budget')), o.budgetMs);
  try {
    const result = await fit(model, train, { epochs: o.epochs, batchSize: o.batchSize, val, earlyStoppingPatience: o.patience, lr: o.lr, emaEpochs: o.emaEpochs, seed: o.seed, signal: ac.signal, startValLoss: initialVal,
      onProgress: (p) => {
        if (p.valLoss !== undefined) o.onEpoch?.(p.epoch, p.loss, p.valLoss);
      },
    });
    return { result, initialVal, keptStart: result.bestEpoch === 0, minutes: (performance.now() - t0) / 60_000 };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** "4 epochs (best 2, early-stopped), val pinball 0.0835 → 0.0751 → …" for a report line. */
export function describeFit(g: GlobalFit): string {
  const r = g.result;
  return `${r.epochsRun} epochs (best ${g.keptStart ? '0 = start kept' : r.bestEpoch}, ${r.stopReason === 'aborted' ? 'stopped by the time budget' : r.stopReason}), val pinball ${[g.initialVal, ...r.valLosses].map((v) => v.toFixed(4)).join(' → ')}`;
}
