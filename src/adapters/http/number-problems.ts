/**
 * A validation error for a field that wants a JSON number and got another JSON value (./errors.ts'
 * type case): the message quotes what came, the hint says what to send instead.
 */
import { unitValue } from '../../config/type-problems.ts';

/** A number sent as a string ("1.5", "NaN", "1e3 "): the message quotes it, the hint says what to send instead. */
export function numberInString(message: string, data: string, where: string): { message: string; hint: string } {
  const got = `${message}; got the string ${JSON.stringify(data.length > 40 ? `${data.slice(0, 40)}…` : data)}`;
  const n = data.trim() === '' ? NaN : Number(data);
  if (Number.isFinite(n)) return { message: got, hint: `send the JSON number ${n}, not ${JSON.stringify(data.slice(0, 40))} (no quotes)` };
  if (/^\s*[+-]?(nan|inf|infinity)\s*$/i.test(data)) return { message: got, hint: 'NaN and Infinity are not JSON numbers, as a string or otherwise; send finite numbers only' };
  // A duration with a unit ("durationMs": "1h"): the number it means (until 6 Dec 2026 the hint was "1.5, not \"1.5\"").
  const u = unitValue(where, data);
  if (u !== undefined) return { message: got, hint: `send ${u.unit} as a JSON number: ${JSON.stringify(data.trim())} is ${u.value}` };
  return { message: got, hint: 'send a JSON number (1.5, not "1.5")' };
}

/**
 * A JSON value that is not the number asked for, other than a string: a fraction for an integer
 * ("horizon": 2.5) or null (what JSON.stringify writes for NaN and Infinity). Until 7 Dec 2026 both
 * got "send JSON numbers (1.5, not \"1.5\")", which a caller that sent the number 2.5 could not act on.
 */
export function numberNotFit(message: string, data: unknown): { message: string; hint: string } | null {
  if (typeof data === 'number' && Number.isFinite(data)) {
    return { message: `${message}; got ${data}`, hint: `send a whole number, such as ${Math.floor(data)} or ${Math.ceil(data)}` };
  }
  if (data === null) {
    return { message: `${message}; got null`, hint: 'send a finite number: null is what JSON.stringify writes for NaN and Infinity, so leave out or fill in a missing value before sending' };
  }
  return null;
}

/**
 * A JSON object where the schema wants another type (`want`), the message naming its keys. A
 * window keyed by feature name — steps as `{"bid":…,"ask":…}` or one object of columns, what a
 * data frame's `to_dict()` gives — gets the shape the model reads instead; until 7 Dec 2026 such a
 * step got "send JSON numbers (1.5, not \"1.5\")", and the column object "send a JSON array".
 */
export function objectNotFit(message: string, data: unknown, where: string, want: string): { message: string; hint: string } | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const keys = Object.keys(data);
  const named = keys.length === 0 ? '' : ` (keys ${keys.slice(0, 4).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k)).join(', ')}${keys.length > 4 ? ', …' : ''})`;
  const got = `${message}; got an object${named}`;
  if (!/\.window(\[\d+\])*$/.test(where)) return { message: got, hint: `send a JSON ${want} here, not an object` };
  return {
    message: got,
    hint: 'a window is not keyed by feature name: send each step, oldest first, as a number (one feature) or as an array of its values in the model\'s feature order (GET /v1/model: spec.features), e.g. {"window":[[101.2,101.3,1200],[101.4,101.5,900],…]}',
  };
}
