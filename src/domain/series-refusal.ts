/**
 * Why a series id is refused by input.seriesPattern, said so that the sender can act: which
 * characters the pattern does not take (or that the id is too long), and how to allow them.
 * Market symbols are the common case: `ES=F` (a future), `^GSPC` (an index), `BRK B`.
 */
import { showValue } from './show-value.ts';

/** The default pattern's character class (src/config/schema/stream.ts); a suggestion widens it. */
const DEFAULT_CLASS = '[A-Za-z0-9._:/@-]';
// Characters a suggestion may add: printable ASCII, but not those a URL path or a regex class reads
// specially in a way that percent-encoding alone does not cure ("%" reads as an escape by proxies).
const SUGGESTABLE = /^[!"$&'()*+,;<=>[\]^`{|}~]$/;

function dotSeries(series: string, pattern: RegExp): string {
  return `series id "${series}" is refused: browsers and fetch() resolve a "${series}" path segment (also encoded), so /v1/series/{id} and the dashboard could not open the series; use another id (input.seriesPattern ${pattern.source})`;
}

/** The characters of `series` that `pattern` refuses in any id; empty when the pattern is not a per-character rule. */
function refusedCharacters(series: string, pattern: RegExp): string[] {
  if (!pattern.test('AA')) return [];
  return [...new Set(series)].filter((c) => !pattern.test(`A${c}`));
}

/**
 * The pattern widened to take `series`, when that is all it takes: none when the id is refused for
 * more than its characters (an id too long was offered a pattern that still refused it, until 7 Dec 2026).
 */
function suggestion(series: string, bad: string[], pattern: RegExp): string {
  if (!pattern.source.includes(DEFAULT_CLASS) || bad.length === 0 || !bad.every((c) => SUGGESTABLE.test(c))) return '';
  const escaped = bad.map((c) => (c === ']' || c === '^' || c === '[' ? `\\${c}` : c)).join('');
  const widened = pattern.source.replace(DEFAULT_CLASS, `${DEFAULT_CLASS.slice(0, -2)}${escaped}-]`);
  return new RegExp(widened, pattern.flags).test(series) ? `, e.g. ${widened}` : '';
}

/** The dead-letter reason (TC_RECORD_BAD_SERIES) for an id that `pattern` does not match. */
export function seriesRefusal(series: string, pattern: RegExp): string {
  if (series === '.' || series === '..') return dotSeries(series, pattern);
  const bad = refusedCharacters(series, pattern);
  const long = pattern.test('A') && !pattern.test('A'.repeat(series.length)) ? `it is ${series.length} characters long` : '';
  const chars = bad.length > 0 ? `${bad.map((c) => showValue(c)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not allowed` : '';
  const why = chars || long ? `: ${[chars, long].filter(Boolean).join(', and ')}` : '';
  const fix = bad.length > 0
    ? `; to take such ids set input.seriesPattern (TICKCAST_INPUT_SERIES_PATTERN) to a pattern that allows ${bad.length === 1 ? 'it' : 'them'}${suggestion(series, bad, pattern)}, or map the symbol to an id it allows`
    : '';
  return `series id ${showValue(series)} does not match ${pattern.source} (input.seriesPattern)${why}${fix}`;
}
