/**
 * Backtest plots: actual vs p50 with the p10–p90 band, one panel per target, as a PNG (own
 * rasteriser + encoder, no native code) or a self-contained HTML page with inline SVG (no
 * scripts, no network). Each forecast block starts at a faint vertical line: it is one
 * full-horizon forecast made at that origin, exactly what a user would have been shown.
 */
import type { PlotSeries } from './backtest.ts';
import { COLOURS, PANEL, formatTick, panelScale } from './plot-layout.ts';
import { encodePng } from './png.ts';
import { Raster, type Rgba } from './raster.ts';

export interface PlotMeta {
  title: string;
  /** Short lines of figures printed under the title (e.g. "MSE 0.371  MAE 0.392"). */
  subtitle?: string;
  bandLabel?: string;
}

export function renderPng(series: readonly PlotSeries[], meta: PlotMeta): Buffer {
  const { width, height: panelH } = PANEL;
  const header = meta.subtitle ? 64 : 40;
  const height = header + panelH * series.length;
  const r = new Raster(width, height);
  r.text(16, 10, meta.title, COLOURS.text, 2);
  if (meta.subtitle) r.text(16, 36, meta.subtitle, COLOURS.axis, 2);
  series.forEach((s, p) => drawPanel(r, s, header + p * panelH, meta.bandLabel ?? 'P10-P90'));
  return encodePng(width, height, r.data);
}

function drawPanel(r: Raster, s: PlotSeries, y0: number, bandLabel: string): void {
  const { width, height, left, right, top, bottom } = PANEL;
  const sc = panelScale(s, width, height);
  const y = (v: number): number => y0 + sc.y(v);
  const n = s.timesMs.length;
  const xs = Array.from({ length: n }, (_, i) => sc.x(i));
  for (const t of sc.yTicks) {
    r.fillRect(left, Math.round(y(t)), width - left - right, 1, COLOURS.grid);
    const label = formatTick(t);
    r.text(left - 8 - Raster.textWidth(label, 1.5), y(t) - 5, label, COLOURS.axis, 1.5);
  }
  for (const o of s.origins) r.fillRect(Math.round(sc.x(o)), y0 + top, 1, height - top - bottom, COLOURS.origin);
  r.band(xs, s.lower.map(y), s.upper.map(y), COLOURS.band);
  r.polyline(xs, s.actual.map(y), COLOURS.actual, 1.6);
  r.polyline(xs, s.p50.map(y), COLOURS.p50, 1.8);
  // axes
  r.fillRect(left, y0 + top, 1, height - top - bottom, COLOURS.axis);
  r.fillRect(left, y0 + height - bottom, width - left - right, 1, COLOURS.axis);
  for (const t of sc.xTicks) {
    const x = sc.x(t.i);
    r.fillRect(Math.round(x), y0 + height - bottom, 1, 5, COLOURS.axis);
    const w = Raster.textWidth(t.label, 1.5);
    r.text(Math.min(width - right - w, Math.max(left, x - w / 2)), y0 + height - bottom + 10, t.label, COLOURS.axis, 1.5);
  }
  // title and legend
  let lx = left;
  lx += r.text(lx, y0 + 14, s.target, COLOURS.text, 2) + 24;
  const swatch = (c: Rgba, label: string, thick: number): void => {
    r.fillRect(lx, y0 + 20 - thick / 2, 26, thick, c);
    lx += 32;
    lx += r.text(lx, y0 + 15, label, COLOURS.text, 1.5) + 22;
  };
  swatch(COLOURS.actual, 'actual', 2);
  swatch(COLOURS.p50, 'p50 forecast', 2);
  swatch(COLOURS.band, `${bandLabel} band`, 10);
}

const css = (c: Rgba): string => `rgba(${c[0]},${c[1]},${c[2]},${(c[3] / 255).toFixed(3)})`;
const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderHtml(series: readonly PlotSeries[], meta: PlotMeta, report?: unknown): string {
  const panels = series.map((s) => svgPanel(s, meta.bandLabel ?? 'p10–p90')).join('\n');
  const json = report === undefined ? '' : `<details><summary>Backtest result (JSON)</summary><pre>${esc(JSON.stringify(report, null, 2))}</pre></details>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg{display:block;margin:8px 0 24px;max-width:100%;height:auto}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}.sub{color:#555}</style></head>
<body><h1 style="font-size:20px">${esc(meta.title)}</h1>${meta.subtitle ? `<p class="sub">${esc(meta.subtitle)}</p>` : ''}
${panels}
${json}
</body></html>
`;
}

function svgPanel(s: PlotSeries, bandLabel: string): string {
  const { width, height, left, right, top, bottom } = PANEL;
  const sc = panelScale(s, width, height);
  const n = s.timesMs.length;
  const f = (v: number): string => v.toFixed(1);
  const path = (ys: readonly number[]): string => {
    let d = '';
    let pen = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(sc.x(i))},${f(sc.y(ys[i]))}`;
      pen = true;
    }
    return d;
  };
  let band = '';
  for (let i = 0; i < n; i++) band += `${i === 0 ? 'M' : 'L'}${f(sc.x(i))},${f(sc.y(s.upper[i]))}`;
  for (let i = n - 1; i >= 0; i--) band += `L${f(sc.x(i))},${f(sc.y(s.lower[i]))}`;
  const parts: string[] = [];
  for (const t of sc.yTicks) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${f(sc.y(t))}" y2="${f(sc.y(t))}" stroke="${css(COLOURS.grid)}"/>`);
    parts.push(`<text x="${left - 6}" y="${f(sc.y(t) + 4)}" text-anchor="end">${esc(formatTick(t))}</text>`);
  }
  for (const o of s.origins) parts.push(`<line x1="${f(sc.x(o))}" x2="${f(sc.x(o))}" y1="${top}" y2="${height - bottom}" stroke="${css(COLOURS.origin)}"/>`);
  sc.xTicks.forEach((t, k) => {
    const anchor = k === 0 ? 'start' : k === sc.xTicks.length - 1 ? 'end' : 'middle';
    parts.push(`<text x="${f(sc.x(t.i))}" y="${height - bottom + 18}" text-anchor="${anchor}">${esc(t.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="12" fill="${css(COLOURS.text)}">
<text x="${left}" y="24" font-size="15" font-weight="bold">${esc(s.target)}</text>
<g font-size="12"><rect x="${left + 120}" y="14" width="24" height="3" fill="${css(COLOURS.actual)}"/><text x="${left + 150}" y="20">actual</text>
<rect x="${left + 220}" y="14" width="24" height="3" fill="${css(COLOURS.p50)}"/><text x="${left + 250}" y="20">p50 forecast</text>
<rect x="${left + 350}" y="10" width="24" height="10" fill="${css(COLOURS.band)}"/><text x="${left + 380}" y="20">${esc(bandLabel)} band</text></g>
${parts.join('\n')}
<path d="${band}Z" fill="${css(COLOURS.band)}" stroke="none"/>
<path d="${path(s.actual)}" fill="none" stroke="${css(COLOURS.actual)}" stroke-width="1.4"/>
<path d="${path(s.p50)}" fill="none" stroke="${css(COLOURS.p50)}" stroke-width="1.6"/>
<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="${css(COLOURS.axis)}"/>
<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="${css(COLOURS.axis)}"/>
</svg>`;
}
