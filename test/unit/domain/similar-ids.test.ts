/**
 * similarIds (the "did you mean" of TC_SERIES_NOT_FOUND): its answers equal a plain Levenshtein
 * search, and its cost does not grow with the square of the id length. Until the review of
 * 7 Dec 2026 every scanned id cost a full length × length table while the row minimum stayed
 * within 2 edits: 10,000 tracked ids of 246 characters sharing a prefix (MQTT-style paths) took
 * 29 s of event loop for one 404 (load average 13; several seconds on an idle machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { similarIds } from '../../../src/domain/similar-ids.ts';
// The full table, no band, no early exit (the config key suggestion's).
import { editDistance as levenshtein } from '../../../src/config/problems.ts';

function reference(wanted: string, known: string[], limit = 3): string[] {
  return known
    .filter((id) => id !== wanted)
    .map((id) => ({ id, rank: levenshtein(wanted.toLowerCase(), id.toLowerCase()) }))
    .filter((f) => f.rank <= 2)
    .sort((x, y) => x.rank - y.rank || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .slice(0, limit)
    .map((f) => f.id);
}

test('similarIds names the same ids as a plain Levenshtein search (random short ids over a small alphabet)', () => {
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const word = () => Array.from({ length: 1 + rand(7) }, () => 'abAB'[rand(4)]).join('');
  for (let round = 0; round < 300; round++) {
    const known = Array.from({ length: 20 }, word);
    const wanted = word();
    assert.deepEqual(similarIds(wanted, known, 5), reference(wanted, known, 5), `${wanted} among ${known.join(',')}`);
  }
});

test('one 404 over 10,000 long ids sharing a prefix stays cheap (banded: about 5 cells per character)', () => {
  const prefix = 'plant-a/line-3/'.padEnd(240, 'x');
  const ids = Array.from({ length: 10_000 }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
  const started = performance.now();
  assert.deepEqual(similarIds(`${prefix}00001`, ids), [`${prefix}000001`, `${prefix}000010`, `${prefix}000011`]);
  const ms = performance.now() - started;
  // Generous (a loaded 2-core machine): before the fix it took 29,000 ms there; after, under 200 ms.
  assert.ok(ms < 3000, `similarIds took ${ms.toFixed(0)} ms`);
});
