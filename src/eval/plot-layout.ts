/**
 * Layout shared by the PNG and HTML plots: one panel per target, time on x, value on y, "nice"
 * tick values, and the colours. Both renderers draw the same picture from this.
 */
import type { PlotSeries } from './backtest.ts';

export const COLOURS = {
  actual: [20, 20, 20, 255],
  p50: [31, 119, 180, 255],
  band: [31, 119, 180, 70],
  origin: [0, 0, 0, 28],
  grid: [0, 0, 0, 22],
  axis: [90, 90, 90, 255],
  text: [40, 40, 40, 255],
} as const;

export const PANEL = { width: 1200, height: 300, left: 86, right: 24, top: 44, bottom: 40 } as const;

export interface PanelScale {
  x: (i: number) => number;
  y: (v: number) => number;
  yTicks: number[];
  xTicks: { i: number; label: string }[];
  yMin: number;
  yMax: number;
}

/** 1-2-5 tick values covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** "2018-02-13" for whole days, "02-13 06:00" otherwise (UTC, as the CSV was read). */
export function formatTime(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs > 20 * 86_400_000) return iso.slice(0, 10);
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export function panelScale(s: PlotSeries, width: number, height: number): PanelScale {
  const { left, right, top, bottom } = PANEL;
  const n = s.timesMs.length;
  // A loop, not Math.min(...vals): spreading four series of a long --plot-rows overflows the call stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const series of [s.actual, s.lower, s.upper, s.p50]) {
    for (const v of series) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const spanMs = n > 1 ? s.timesMs[n - 1] - s.timesMs[0] : 0;
  const xTickCount = Math.min(8, n);
  const xTicks = Array.from({ length: xTickCount }, (_, k) => {
    const i = Math.round((k * (n - 1)) / Math.max(1, xTickCount - 1));
    return { i, label: formatTime(s.timesMs[i], spanMs) };
  });
  return {
    x: (i) => left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2),
    y: (v) => top + (1 - (v - lo) / (hi - lo)) * plotH,
    yTicks: niceTicks(lo, hi, 6),
    xTicks,
    yMin: lo,
    yMax: hi,
  };
}
