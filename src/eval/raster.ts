/**
 * A small RGBA raster for plots: alpha-blended rectangles, anti-aliased lines of any width,
 * vertical band fills and text in a built-in 5×7 bitmap font (upper case, digits, common
 * punctuation; lower case is drawn as upper case). Enough for a readable chart without a
 * canvas library or native code.
 */
export type Rgba = readonly [number, number, number, number];

/** 5×7 glyphs, 35 bits each, row-major from the top-left pixel (most significant bit). */
const FONT = new Map<string, number>([
  ['A', 0x3a31fc631],
  ['B', 0x7a31f463e],
  ['C', 0x3a308422e],
  ['D', 0x7a318c63e],
  ['E', 0x7e10f421f],
  ['F', 0x7e10f4210],
  ['G', 0x3a30bc62f],
  ['H', 0x4631fc631],
  ['I', 0x38842108e],
  ['J', 0x1c4210a4c],
  ['K', 0x4654c5251],
  ['L', 0x42108421f],
  ['M', 0x4775ac631],
  ['N', 0x4639ace31],
  ['O', 0x3a318c62e],
  ['P', 0x7a31f4210],
  ['Q', 0x3a318d64d],
  ['R', 0x7a31f5251],
  ['S', 0x3e107043e],
  ['T', 0x7c8421084],
  ['U', 0x46318c62e],
  ['V', 0x46318c544],
  ['W', 0x4631ad6aa],
  ['X', 0x462a22a31],
  ['Y', 0x462a21084],
  ['Z', 0x7c222221f],
  ['0', 0x3a33ae62e],
  ['1', 0x11842108e],
  ['2', 0x3a211111f],
  ['3', 0x7c441062e],
  ['4', 0x08ca97c42],
  ['5', 0x7e1e0862e],
  ['6', 0x1910f462e],
  ['7', 0x7c2222108],
  ['8', 0x3a317462e],
  ['9', 0x3a317844c],
  ['.', 0x00000018c],
  ['-', 0x0000f8000],
  [':', 0x018c03180],
  ['/', 0x002222200],
  ['%', 0x632222263],
  ['(', 0x088842082],
  [')', 0x208210888],
  [',', 0x000003088],
  ['=', 0x001f07c00],
  ['+', 0x0084f9080],
  ['_', 0x00000001f],
  ['[', 0x39084210e],
  [']', 0x38421084e],
  ['>', 0x208208888],
  ['<', 0x088882082],
  ['*', 0x02aefbaa0],]);

export const GLYPH_W = 5;
export const GLYPH_H = 7;

export class Raster {
  readonly data: Uint8ClampedArray;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgba = [255, 255, 255, 255],
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 4);
  }

  /** Blend one pixel with coverage `a` in [0,1] (multiplied by the colour's alpha). */
  blend(x: number, y: number, c: Rgba, a = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const alpha = (c[3] / 255) * a;
    if (alpha <= 0) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    d[i] = d[i] + (c[0] - d[i]) * alpha;
    d[i + 1] = d[i + 1] + (c[1] - d[i + 1]) * alpha;
    d[i + 2] = d[i + 2] + (c[2] - d[i + 2]) * alpha;
    d[i + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgba): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.blend(xx, yy, c);
  }

  /**
   * Anti-aliased line of the given width: every pixel in the segment's bounding box is covered
   * by its distance to the segment (1 inside width/2, fading over one pixel).
   */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgba, width = 1): void {
    const r = width / 2;
    const minX = Math.floor(Math.min(x0, x1) - r - 1);
    const maxX = Math.ceil(Math.max(x0, x1) + r + 1);
    const minY = Math.floor(Math.min(y0, y1) - r - 1);
    const maxY = Math.ceil(Math.max(y0, y1) + r + 1);
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let y = Math.max(0, minY); y <= Math.min(this.height - 1, maxY); y++) {
      for (let x = Math.max(0, minX); x <= Math.min(this.width - 1, maxX); x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        let t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
        t = Math.max(0, Math.min(1, t));
        const ex = x0 + t * dx - px;
        const ey = y0 + t * dy - py;
        const dist = Math.sqrt(ex * ex + ey * ey);
        const cover = Math.max(0, Math.min(1, r + 0.5 - dist));
        if (cover > 0) this.maxBlend(x, y, c, cover);
      }
    }
  }

  /** Polyline through points; NaN values break the line. */
  polyline(xs: readonly number[], ys: readonly number[], c: Rgba, width = 1): void {
    this.stroke = new Float32Array(this.width * this.height);
    for (let i = 1; i < xs.length; i++) {
      if (Number.isFinite(ys[i - 1]) && Number.isFinite(ys[i])) this.line(xs[i - 1], ys[i - 1], xs[i], ys[i], c, width);
    }
    this.flushStroke(c);
  }

  /** Fill between lower and upper y at each x column (a forecast band); NaN skips a column. */
  band(xs: readonly number[], lower: readonly number[], upper: readonly number[], c: Rgba): void {
    const cover = new Float32Array(this.width * this.height);
    for (let i = 1; i < xs.length; i++) {
      if (![lower[i - 1], lower[i], upper[i - 1], upper[i]].every(Number.isFinite)) continue;
      const xa = xs[i - 1];
      const xb = xs[i];
      for (let x = Math.max(0, Math.floor(xa)); x <= Math.min(this.width - 1, Math.ceil(xb)); x++) {
        const t = xb > xa ? Math.max(0, Math.min(1, (x + 0.5 - xa) / (xb - xa))) : 0;
        const top = Math.min(upper[i - 1] + t * (upper[i] - upper[i - 1]), lower[i - 1] + t * (lower[i] - lower[i - 1]));
        const bottom = Math.max(upper[i - 1] + t * (upper[i] - upper[i - 1]), lower[i - 1] + t * (lower[i] - lower[i - 1]));
        for (let y = Math.max(0, Math.floor(top)); y <= Math.min(this.height - 1, Math.ceil(bottom)); y++) {
          const a = Math.max(0, Math.min(1, Math.min(y + 1, bottom + 0.5) - Math.max(y, top - 0.5)));
          const k = y * this.width + x;
          if (a > cover[k]) cover[k] = a;
        }
      }
    }
    for (let k = 0; k < cover.length; k++) if (cover[k] > 0) this.blend(k % this.width, Math.floor(k / this.width), c, cover[k]);
  }

  /** Draw text with its top-left corner at (x, y); `scale` enlarges each font pixel. Returns the width. */
  text(x: number, y: number, s: string, c: Rgba, scale = 2): number {
    let cx = Math.round(x);
    for (const ch of s.toUpperCase()) {
      const bits = FONT.get(ch);
      if (bits !== undefined) {
        for (let row = 0; row < GLYPH_H; row++) {
          for (let col = 0; col < GLYPH_W; col++) {
            const bit = Math.floor(bits / 2 ** (34 - (row * GLYPH_W + col))) % 2;
            if (bit === 1) this.fillRect(cx + col * scale, Math.round(y) + row * scale, scale, scale, c);
          }
        }
      }
      cx += (GLYPH_W + 1) * scale;
    }
    return cx - Math.round(x);
  }

  static textWidth(s: string, scale = 2): number {
    return s.length * (GLYPH_W + 1) * scale;
  }

  // Lines of one polyline overlap at joints; keeping the max coverage per pixel (then blending
  // once) avoids dark beads at every vertex of a semi-transparent line.
  private stroke: Float32Array | null = null;

  private maxBlend(x: number, y: number, c: Rgba, cover: number): void {
    if (this.stroke) {
      const k = y * this.width + x;
      if (cover > this.stroke[k]) this.stroke[k] = cover;
    } else this.blend(x, y, c, cover);
  }

  private flushStroke(c: Rgba): void {
    const s = this.stroke;
    this.stroke = null;
    if (!s) return;
    for (let k = 0; k < s.length; k++) if (s[k] > 0) this.blend(k % this.width, Math.floor(k / this.width), c, s[k]);
  }
}
