/**
 * Stable ids for alert records. The same transition (series, tick ts, state, severity, feature) always gets
 * the same id, so a record produced twice after a crash (at-least-once) carries one id, and
 * feedback given against it applies once. 16 hex characters: two 32-bit FNV-1a hashes of the
 * same text with different offset bases (collisions are negligible at the index sizes used).
 */
export function alertId(series: string, tsMs: number, state: string, severity: string, feature = ''): string {
  // The feature (multivariate alerts, one per feature) enters the text only when given, so ids of
  // callers that name none are unchanged.
  const text = `${series}\u0000${tsMs}\u0000${state}\u0000${severity}${feature ? `\u0000${feature}` : ''}`;
  return hex8(fnv1a(text, 0x811c9dc5)) + hex8(fnv1a(text, 0x050c5d1f));
}

/** Stable id of an incident: its grouping key and the ts of its first member alert. */
export function incidentId(groupKey: string, firstTsMs: number): string {
  return `inc-${alertId(groupKey, firstTsMs, 'incident', '')}`;
}

function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}
