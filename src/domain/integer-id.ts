import { showValue } from './show-value.ts';

/**
 * A numeric device id (`{"sensor_id":17}`) as its series id, "17" (since 7 Dec 2026), or why not:
 * only a safe integer (|n| ≤ 2^53−1) — beyond it JSON.parse has already rounded the digits sent,
 * so two devices could share one series. 17.0 is 17 once parsed (JSON cannot tell them apart).
 */
export function integerId(n: number): string | { reason: string } {
  if (Number.isSafeInteger(n)) return String(n === 0 ? 0 : n); // -0 → "0"
  if (Number.isInteger(n)) return { reason: `is ${showValue(n)}, an integer beyond 2^53−1 (9007199254740991) that JSON numbers cannot hold exactly (its last digits are already rounded): send the id as a string` };
  return { reason: `must be a string or an integer; got ${showValue(n)} (a number with a fraction: an id is a whole number or text)` };
}
