/**
 * A labelled corpus read at a coarse resolution (ninth round, docs/anomaly-rounds.md): every value of a
 * file rounded to a multiple of q = k × the median |Δ| of its first 500 values — a sensor that
 * reports whole mph or one decimal, where the step is as large as (k = 1) or larger than (k = 3)
 * a typical move. Rounding is applied to the whole file, anomalies included, as a sensor would;
 * the windows are unchanged. The step is chosen from the file itself (look-ahead is fine here:
 * this builds the data, not the detector). A file whose median |Δ| is 0 is left as it is.
 */
import type { NabRow } from './io.ts';

/** The file's rows rounded to multiples of its step, and that step (0: left as it is). */
export function quantiseRows(rows: readonly NabRow[], k: number): { rows: NabRow[]; step: number } {
  const head = rows.slice(0, 500);
  const d = head.slice(1).map((r, i) => Math.abs(r.value - head[i].value)).sort((a, b) => a - b);
  const step = k * (d.length > 0 ? d[d.length >> 1] : 0);
  if (!(step > 0)) return { rows: rows.map((r) => ({ ...r })), step: 0 };
  return { rows: rows.map((r) => ({ timestamp: r.timestamp, value: Math.round(r.value / step) * step })), step };
}
