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
