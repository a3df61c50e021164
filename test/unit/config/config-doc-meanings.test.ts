/**
 * Every configuration key has a meaning in docs/configuration.md (the generated table takes it from
 * the key's doc comment in src/config/schema/, also for the keys of an object in a section such as
 * kafka.sasl). The frozen list of keys that had none is empty now: a new key without a doc comment
 * fails, and so would a listed key that has gained one (take it off the list).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url)), 'utf8');

/**
 * Undescribed keys that are allowed to stay so: none since 6 Dec 2026 (38 on 5 Dec). Keep it empty:
 * describe a new key with a doc comment on its schema entry, then npx tsx scripts/gen-config-doc.ts.
 */
const UNDESCRIBED = new Set<string>([]);

test('every key in the configuration table has a meaning', () => {
  const rows = doc.split('\n').filter((l) => /^\| `[a-zA-Z][\w.]*` \| `TICKCAST_/.test(l));
  assert.ok(rows.length > 100, `expected the generated table; got ${rows.length} rows`);
  const empty = rows.filter((l) => /\|\s*\|\s*$/.test(l)).map((l) => /^\| `([^`]+)`/.exec(l)![1]);
  assert.deepEqual(empty.filter((k) => !UNDESCRIBED.has(k)), [], 'keys without a doc comment in src/config/schema/ (docs/configuration.md has no meaning for them)');
  const listed = new Set(rows.map((l) => /^\| `([^`]+)`/.exec(l)![1]));
  assert.deepEqual([...UNDESCRIBED].filter((k) => !empty.includes(k) && listed.has(k)), [], 'described now: take them off UNDESCRIBED');
  assert.deepEqual([...UNDESCRIBED].filter((k) => !listed.has(k)), [], 'no longer configuration keys: take them off UNDESCRIBED');
});
