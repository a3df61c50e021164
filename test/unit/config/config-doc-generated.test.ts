/**
 * docs/configuration.md's generated tables are what scripts/gen-config-doc.ts makes of the schema
 * now: every key once, none that is gone, each with today's env name, type, default and doc
 * comment, and the non-config variables of src/config/load.ts. The other config tests look for
 * each key's name in the file; a changed default, a reworded doc comment or a removed key passed
 * them while the table went stale. Fix: npx tsx scripts/gen-config-doc.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDoc } from '../../../scripts/gen-config-doc.ts';

const file = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));

test('docs/configuration.md holds the tables scripts/gen-config-doc.ts generates from the schema', () => {
  const doc = readFileSync(file, 'utf8');
  const lines = doc.split('\n');
  const want = renderConfigDoc(doc).split('\n');
  const stale = lines.filter((l) => !want.includes(l)).map((l) => `- ${l}`);
  const lacking = want.filter((l) => !lines.includes(l)).map((l) => `+ ${l}`);
  assert.deepEqual([...stale, ...lacking], [], 'docs/configuration.md is out of step with src/config/schema: run npx tsx scripts/gen-config-doc.ts');
  assert.equal(doc, renderConfigDoc(doc), 'docs/configuration.md: the generated tables are out of order; run npx tsx scripts/gen-config-doc.ts');
});
