/**
 * NAB's scoring rules, re-implemented from numenta/NAB `nab/sweeper.py` (v1.1):
 *
 * - rows before `probationLength(n) = min(floor(0.15 n), 0.15 * 5000)` are not scored;
 * - inside a window [left, right] of width w rows, a detection at row i is worth
 *   `tpWeight * S(-(right - i + 1) / w) / S(-1)`, where S is the scaled sigmoid below; only the
 *   best (= earliest) detection of a window counts; a window without detection costs `-fnWeight`;
 * - outside windows, each detection costs `fpWeight * S(|i - prevRight| / (prevWidth - 1))`
 *   (negative) after a window, or `-fpWeight` when no window precedes it;
 * - a detection is a row with `anomaly_score >= threshold`.
 *
 * Points are kept unweighted (kind + sigmoid value) so one sweep serves all three profiles.
 */
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { CostMatrix } from './profiles.ts';

export const PROBATION_PERCENT = 0.15;

/** NAB's scaled sigmoid: 2·σ(−5x) − 1, and −1 for x > 3 (false positives far past a window). */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

/** Rows at the start of a file that are not scored (the detector may learn there). */
export function probationLength(numRows: number): number {
  return Math.min(Math.floor(PROBATION_PERCENT * numRows), PROBATION_PERCENT * 5000);
}

/** One scorable row: `window` is a corpus-unique window id, or null outside windows. */
export interface SweepPoint {
  anomalyScore: number;
  /** Unweighted value: S(position) for window rows, S(distance past window) or −1 outside. */
  value: number;
  window: string | null;
}

/** A window as [start, end] timestamps (inclusive), as in labels/combined_windows.json. */
export type WindowLimits = readonly [string, string];

/** NAB label timestamps carry a ".000000" suffix; data rows do not. Compare on a common form. */
export function normaliseTimestamp(ts: string): string {
  return ts.trim().replace(/\.0+$/, '');
}

/**
 * The scorable points of one file (probation rows dropped). Windows are entered on the first row
 * whose timestamp equals the window start and left on the first row equal to the end, exactly
 * as NAB does (duplicate timestamps resolve to their first occurrence).
 */
export function sweepFile(
  timestamps: readonly string[],
  anomalyScores: readonly number[],
  windows: readonly WindowLimits[],
  fileName: string,
): SweepPoint[] {
  if (timestamps.length !== anomalyScores.length) {
    throw new TickcastError(ErrorCodes.DATA_MALFORMED, `${fileName}: ${timestamps.length} timestamps but ${anomalyScores.length} scores; write one score per data row`);
  }
  const ts = timestamps.map(normaliseTimestamp);
  const firstIndex = new Map<string, number>();
  ts.forEach((t, i) => { if (!firstIndex.has(t)) firstIndex.set(t, i); });
  const pending = windows.map(([a, b]) => [normaliseTimestamp(a), normaliseTimestamp(b)] as const);
  const probation = probationLength(ts.length);
  const out: SweepPoint[] = [];

  let cur: { name: string; end: string; right: number; width: number } | null = null;
  let prev: { right: number; width: number } | null = null;
  for (let i = 0; i < ts.length; i++) {
    if (cur === null && pending.length > 0 && ts[i] === pending[0][0]) {
      const [start, end] = pending.shift()!;
      const right = firstIndex.get(end);
      if (right === undefined) throw new TickcastError(ErrorCodes.DATA_MALFORMED, `${fileName}: window end ${end} is not a row timestamp; check the labels file`);
      cur = { name: `${fileName}|${start}`, end, right, width: right - firstIndex.get(start)! + 1 };
    }
    let value: number;
    if (cur !== null) {
      value = scaledSigmoid(-(cur.right - i + 1) / cur.width);
    } else if (prev === null) {
      value = -1.0;
    } else {
      value = scaledSigmoid(Math.abs(prev.right - i) / (prev.width - 1));
    }
    if (i >= probation) out.push({ anomalyScore: anomalyScores[i], value, window: cur?.name ?? null });
    if (cur !== null && ts[i] === cur.end) {
      prev = { right: i, width: cur.width };
      cur = null;
    }
  }
  return out;
}

/** Weighted contribution of a point if it were a detection. */
function weighted(p: SweepPoint, cost: CostMatrix, maxTp: number): number {
  return p.window === null ? p.value * cost.fpWeight : (p.value * cost.tpWeight) / maxTp;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

/**
 * Score for every distinct threshold (NAB `calcScoreByThreshold`): the first entry is threshold
 * 1.1 (no detections); each later entry is the score when every point with score ≥ threshold is
 * a detection. Points of several files may be concatenated (window ids are corpus-unique).
 */
export function scoreByThreshold(points: readonly SweepPoint[], cost: CostMatrix): ThresholdScore[] {
  const maxTp = scaledSigmoid(-1.0);
  const sorted = [...points].sort((a, b) => b.anomalyScore - a.anomalyScore);
  const windowParts = new Map<string, number>();
  for (const p of sorted) if (p.window !== null) windowParts.set(p.window, -cost.fnWeight);
  let windowSum = -cost.fnWeight * windowParts.size;
  let fpSum = 0;
  let tn = 0;
  let fn = 0;
  for (const p of sorted) if (p.window === null) tn++; else fn++;
  let tp = 0;
  let fp = 0;
  const out: ThresholdScore[] = [];
  let cur = 1.1;
  const push = (): void => {
    out.push({ threshold: cur, score: windowSum + fpSum, tp, tn, fp, fn, total: tp + tn + fp + fn });
  };
  for (const p of sorted) {
    if (p.anomalyScore !== cur) {
      push();
      cur = p.anomalyScore;
    }
    const w = weighted(p, cost, maxTp);
    if (p.window === null) {
      fp++; tn--;
      fpSum += w;
    } else {
      tp++; fn--;
      const old = windowParts.get(p.window)!;
      if (w > old) {
        windowParts.set(p.window, w);
        windowSum += w - old;
      }
    }
  }
  push();
  return out;
}

/** The score at one threshold, computed directly (detections: anomalyScore ≥ threshold). */
export function scoreAtThreshold(points: readonly SweepPoint[], cost: CostMatrix, threshold: number): ThresholdScore {
  const maxTp = scaledSigmoid(-1.0);
  const best = new Map<string, number>();
  let tp = 0, tn = 0, fp = 0, fn = 0, fpSum = 0;
  for (const p of points) {
    const det = p.anomalyScore >= threshold;
    if (p.window !== null && !best.has(p.window)) best.set(p.window, -cost.fnWeight);
    if (!det) {
      if (p.window === null) tn++; else fn++;
      continue;
    }
    const w = weighted(p, cost, maxTp);
    if (p.window === null) { fp++; fpSum += w; } else {
      tp++;
      if (w > best.get(p.window)!) best.set(p.window, w);
    }
  }
  let score = fpSum;
  for (const v of best.values()) score += v;
  return { threshold, score, tp, tn, fp, fn, total: tp + tn + fp + fn };
}

/** NAB's pick: the highest score; ties go to the higher threshold (NAB sorts stably). */
export function bestThreshold(scores: readonly ThresholdScore[]): ThresholdScore {
  let best = scores[0];
  for (const s of scores) if (s.score > best.score) best = s;
  return best;
}
