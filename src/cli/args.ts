/**
 * Option parsing for subcommands: one table per command describes every flag (type, default,
 * help line), from which both the parser and `--help` are derived, so they cannot drift apart.
 * Built on node:util parseArgs (strict: unknown flags are errors, not silently ignored).
 */
import { parseArgs } from 'node:util';
import { closest } from '../config/problems.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { MissingPolicy } from '../data/missing-marks.ts';
import type { MissingSummary } from '../data/missing-cells.ts';
import { DECIMAL_OPTIONS, type DecimalOption } from '../data/csv-decimal.ts';
import { FREQUENCIES, type OnsFrequency } from '../data/ons-layout.ts';

export type OptionSpec =
  | { type: 'string'; help: string; default?: string; required?: boolean; placeholder?: string }
  | { type: 'strings'; help: string; placeholder?: string }
  | { type: 'number'; help: string; default?: number; required?: boolean; integer?: boolean; min?: number; max?: number; placeholder?: string }
  | { type: 'boolean'; help: string };

export type OptionTable = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'strings' }
    ? string[]
    : S extends { type: 'number' }
    ? S extends { default: number } | { required: true }
      ? number
      : number | undefined
    : S extends { default: string } | { required: true }
      ? string
      : string | undefined;

export type ParsedOptions<T extends OptionTable> = { [K in keyof T]: ValueOf<T[K]> };

export function usageError(message: string): TickcastError {
  return new TickcastError(ErrorCodes.CLI_USAGE, message, { statusCode: 400 });
}

/**
 * `; did you mean --window?` for parseArgs' "Unknown option '--windw'" when a flag of the table is
 * within two edits (case, `_` and `-` ignored, as the configuration's key suggestions), else ''.
 */
function nearOption(message: string, flags: readonly string[]): string {
  const unknown = /Unknown option '--([^'=]+)/.exec(message)?.[1];
  const near = unknown === undefined ? undefined : closest(unknown, flags);
  return near === undefined ? '' : `; did you mean --${near}?`;
}

/** Parse argv against the table; throws TC_CLI_USAGE listing every problem at once. */
export function parseOptions<T extends OptionTable>(command: string, table: T, argv: readonly string[]): ParsedOptions<T> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple: boolean }> = {};
  for (const [name, spec] of Object.entries(table)) options[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', multiple: spec.type === 'strings' };
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  } catch (err) {
    throw usageError(`${(err as Error).message}${nearOption((err as Error).message, Object.keys(table))}; run "tickcast ${command} --help" for the options`);
  }
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    const raw = values[name];
    if (spec.type === 'boolean') {
      out[name] = raw === true;
      continue;
    }
    if (spec.type === 'strings') {
      // Repeatable: every occurrence, in order; an empty one is a mistake as for a single string.
      const all = (raw ?? []) as string[];
      if (all.some((v) => v.trim() === '')) problems.push(`--${name} must not be empty (${spec.help})`);
      out[name] = all;
      continue;
    }
    if (raw === undefined) {
      if (spec.required) problems.push(`--${name} is required (${spec.help})`);
      out[name] = spec.default;
      continue;
    }
    if (spec.type === 'string') {
      // An empty path or name (`--out ""`, an unset shell variable) is a mistake, not "the default".
      if (String(raw).trim() === '') problems.push(`--${name} must not be empty (${spec.help})`);
      out[name] = raw;
      continue;
    }
    const n = Number(raw);
    if (String(raw).trim() === '' || !Number.isFinite(n)) problems.push(`--${name} must be a number; got ${JSON.stringify(raw)}`);
    else if (spec.integer && !Number.isInteger(n)) problems.push(`--${name} must be a whole number; got ${raw}`);
    else if (spec.min !== undefined && n < spec.min) problems.push(`--${name} must be >= ${spec.min}; got ${raw}`);
    else if (spec.max !== undefined && n > spec.max) problems.push(`--${name} must be <= ${spec.max}; got ${raw}`);
    out[name] = n;
  }
  if (problems.length > 0) throw usageError(`${problems.join('; ')}; run "tickcast ${command} --help" for the options`);
  return out as ParsedOptions<T>;
}

/** "a, b,c" → ["a","b","c"]; undefined stays undefined. */
export function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

export function parseNumberList(flag: string, text: string): number[] {
  const items = text.split(',').map((s) => Number(s.trim()));
  if (items.length === 0 || items.some((n) => !Number.isFinite(n))) throw usageError(`--${flag} must be comma-separated numbers; got ${JSON.stringify(text)}`);
  return items;
}

/** `--missing`: one of `allowed` (a command's policies); TC_CLI_USAGE otherwise. */
export function missingPolicy(text: string, allowed: readonly MissingPolicy[]): MissingPolicy {
  if ((allowed as readonly string[]).includes(text)) return text as MissingPolicy;
  throw usageError(`--missing must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}; got ${JSON.stringify(text)}`);
}

/** `--decimal`, the same for every command that reads a data file (../data/csv-decimal.ts). */
export const DECIMAL_FLAG = {
  type: 'string',
  default: 'auto',
  help: "the data file's decimal mark: auto (a ;- or tab-separated file with 1,25 or 1.234,5 is read as decimal comma, one with 1.25 as decimal point; 1,234 and 1.234 do not tell; a file that mixes them or never tells is refused), comma or point",
  placeholder: 'auto|comma|point',
} as const satisfies OptionSpec;

/** `--skip-rows`, the same for every command that reads a data file: lines above the header (titles) not read (../data/csv-title-lines.ts finds most by itself). */
export const SKIP_ROWS_FLAG = {
  type: 'number',
  default: 0,
  integer: true,
  min: 0,
  help: 'lines above the header row not to read (title lines; most, as in an ECB SDW download, are found without it)',
  placeholder: 'n',
} as const satisfies OptionSpec;

/** `--frequency`, the same for every command that reads a data file: the block of a UK ONS time series download to read (../data/ons-layout.ts). */
export const FREQUENCY_FLAG = {
  type: 'string',
  help: 'of a UK ONS time series download (annual, quarterly and monthly rows in one file), the rows to read (default: the finest it has)',
  placeholder: 'annual|quarterly|monthly',
} as const satisfies OptionSpec;

/** `--frequency`: annual, quarterly or monthly (undefined when not given); TC_CLI_USAGE otherwise. */
export function frequencyOption(text: string | undefined): OnsFrequency | undefined {
  if (text === undefined || (FREQUENCIES as readonly string[]).includes(text)) return text as OnsFrequency | undefined;
  throw usageError(`--frequency must be annual, quarterly or monthly; got ${JSON.stringify(text)}`);
}

/** `--decimal`: auto, comma or point; TC_CLI_USAGE otherwise. */
export function decimalOption(text: string): DecimalOption {
  if ((DECIMAL_OPTIONS as readonly string[]).includes(text)) return text as DecimalOption;
  throw usageError(`--decimal must be auto, comma or point; got ${JSON.stringify(text)}`);
}

/** The stderr words for a file's missing cells ('' when it had none): how many, where, and what became of them. */
export function missingNote(m: MissingSummary): string {
  if (m.cells === 0) return '';
  const where = Object.entries(m.byColumn).map(([c, n]) => `${c} ${n}`).join(', ');
  const done = m.policy === 'skip' ? `${m.droppedRows} rows dropped` : `${m.carriedCells} carried forward, ${m.droppedRows} rows with none of the columns (or nothing to carry) dropped`;
  return `; ${m.cells} missing cells (empty, NA, NaN…: ${where}): ${done} (--missing ${m.policy})`;
}

/** The --help text for one command, generated from its table. */
export function formatHelp(command: string, summary: string, table: OptionTable): string {
  const lines = [`usage: tickcast ${command} [options]`, '', summary, '', 'options:'];
  const rows = Object.entries(table).map(([name, spec]) => {
    const ph = spec.type === 'boolean' ? '' : ` <${spec.placeholder ?? (spec.type === 'number' ? 'n' : 'value')}>`;
    const def = (spec.type === 'string' || spec.type === 'number') && spec.default !== undefined ? ` (default ${spec.default})` : '';
    const req = (spec.type === 'string' || spec.type === 'number') && spec.required ? ' (required)' : spec.type === 'strings' ? ' (repeatable)' : '';
    return [`  --${name}${ph}`, `${spec.help}${def}${req}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(l.padEnd(width) + r);
  lines.push(`  --help`.padEnd(width) + 'show this help');
  return lines.join('\n') + '\n';
}
