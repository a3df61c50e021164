/**
 * Tracked ids close to one that is not tracked, for a "did you mean" in TC_SERIES_NOT_FOUND: the
 * same id in another case first (ids are case-sensitive: `aapl` for `AAPL` is the usual slip), then
 * ids within 2 edits of it, case ignored (a typo). Bounded: at most `scanLimit` ids are looked at, so a 404 costs the
 * same on an instance tracking a million series.
 */

/**
 * Levenshtein distance of `a` and `b`, or `max + 1` as soon as it must exceed `max`. Only the band
 * of cells within `max` of the diagonal is computed (any cell outside it exceeds `max`): until the
 * review of 7 Dec 2026 each id cost a full length × length table while its prefix matched, and
 * 10,000 ids of 246 characters sharing one took 29 s of event loop for one 404.
 */
function editDistance(a: string, b: string, max: number): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  let prev = new Int32Array(b.length + 2).fill(over);
  let row = new Int32Array(b.length + 2).fill(over);
  for (let j = 0; j <= Math.min(b.length, max); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    row[lo - 1] = lo === 1 ? Math.min(i, over) : over;
    let best = row[lo - 1];
    for (let j = lo; j <= hi; j++) {
      row[j] = Math.min(over, prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]);
    }
    row[hi + 1] = over;
    if (best > max) return over;
    [prev, row] = [row, prev];
  }
  return prev[b.length];
}

/** Up to `limit` ids of `known` close to `wanted`, ignoring case: the same id first, then by edit distance (≤ 2), ties in id order. */
export function similarIds(wanted: string, known: Iterable<string>, limit = 3, scanLimit = 10_000): string[] {
  const lower = wanted.toLowerCase();
  const found: { id: string; rank: number }[] = [];
  let scanned = 0;
  for (const id of known) {
    if (++scanned > scanLimit) break;
    if (id === wanted) continue;
    const rank = editDistance(lower, id.toLowerCase(), 2);
    if (rank <= 2) found.push({ id, rank });
  }
  found.sort((x, y) => x.rank - y.rank || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return found.slice(0, limit).map((f) => f.id);
}
