/**
 * Progress on stderr for long work. On a terminal: one bar redrawn in place (at most ~10 times a
 * second) with the latest figures, e.g. `train [#####.....] 52% 130/250 loss 0.412 val 0.398 eta 41s`.
 * Elsewhere (CI logs, pipes): a plain line every `logEveryMs` and one at the end, so logs stay
 * readable and are not flooded with carriage returns.
 */
import type { CliIo } from './io.ts';

export type ProgressFields = Record<string, string | number | undefined>;

export interface ProgressOptions {
  /** Non-TTY: minimum time between log lines (default 5 s). */
  logEveryMs?: number;
  /** Units shown after counts, e.g. "batches". */
  unit?: string;
}

export class ProgressBar {
  private readonly startMs: number;
  private lastDrawMs = -Infinity;
  private done = 0;
  private fields: ProgressFields = {};
  private finished = false;
  /** Something changed since the last line/redraw. */
  private dirty = false;
  private readonly tty: boolean;
  private readonly now: () => number;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.now = io.now ?? (() => performance.now());
    this.startMs = this.now();
    this.tty = io.stderr.isTTY === true;
  }

  /** Set absolute progress and the figures shown beside it. */
  update(done: number, fields: ProgressFields = {}, total?: number): void {
    if (this.finished) return;
    if (total !== undefined) this.total = total;
    this.done = done;
    this.fields = { ...this.fields, ...fields };
    this.dirty = true;
    const now = this.now();
    const interval = this.tty ? 100 : (this.opts.logEveryMs ?? 5000);
    if (now - this.lastDrawMs >= interval) {
      this.lastDrawMs = now;
      this.draw(now);
    }
  }

  /** Print a line above the bar (e.g. "epoch 3: val loss 0.41, best so far"). */
  log(line: string): void {
    if (this.tty) this.io.stderr.write('\r\x1b[K');
    this.io.stderr.write(line + '\n');
    if (this.tty && !this.finished) this.draw(this.now());
  }

  /** Final state; printed unless the last line already showed it. */
  finish(fields: ProgressFields = {}): void {
    if (this.finished) return;
    this.fields = { ...this.fields, ...fields };
    if (this.dirty || Object.keys(fields).length > 0 || this.lastDrawMs === -Infinity) this.draw(this.now());
    if (this.tty) this.io.stderr.write('\n');
    this.finished = true;
  }

  private draw(now: number): void {
    this.dirty = false;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const elapsedS = (now - this.startMs) / 1000;
    const eta = frac > 0 && frac < 1 ? formatSeconds((elapsedS * (1 - frac)) / frac) : '';
    const extra = Object.entries(this.fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' ');
    const unit = this.opts.unit ? ` ${this.opts.unit}` : '';
    const counts = `${this.done}/${this.total}${unit}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      let line = `${this.label} [${bar}] ${Math.round(frac * 100)}% ${counts} ${extra}${eta ? ` eta ${eta}` : ''}`;
      const cols = this.io.stderr.columns;
      if (cols !== undefined && line.length > cols - 1) line = line.slice(0, cols - 1);
      this.io.stderr.write(`\r\x1b[K${line}`);
    } else {
      this.io.stderr.write(`${this.label}: ${counts} (${Math.round(frac * 100)}%) ${extra} elapsed ${formatSeconds(elapsedS)}${eta ? ` eta ${eta}` : ''}\n`);
    }
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
