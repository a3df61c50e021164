/**
 * The request bodies the operator docs tell people to send, taken from the docs themselves and sent
 * to the route they name: a doc example that the route's schema refuses (a renamed field, a body
 * the route no longer takes) fails here, not in an incident. docs/runbook.md § Routine operations
 * ("Roll back the model"): the curl command and every `-d '…'` variant the bullet gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build, KEY } from './support/build.ts';
import { TrendServing } from './support/trend-serving.ts';

const RUNBOOK = readFileSync(new URL('../../../docs/runbook.md', import.meta.url), 'utf8');

/** The bullet of docs/runbook.md that starts with `**<title>**`, up to the next bullet. */
function bullet(title: string): string {
  const start = RUNBOOK.indexOf(`- **${title}**`);
  assert.ok(start >= 0, `docs/runbook.md has no "- **${title}**" bullet`);
  const end = RUNBOOK.indexOf('\n- **', start + 1);
  return RUNBOOK.slice(start, end < 0 ? undefined : end);
}

test('docs/runbook.md "Roll back the model": the curl command and each body it gives are taken by POST /v1/model/rollback', async () => {
  const text = bullet('Roll back the model');
  const curl = /`(curl [^`]*)`/.exec(text)?.[1];
  assert.ok(curl, 'the bullet gives a curl command');
  const method = /-X (\w+)/.exec(curl)?.[1];
  const path = /https?:\/\/[^/\s]+(\/\S*)/.exec(curl)?.[1];
  assert.deepEqual([method, path], ['POST', '/v1/model/rollback']);
  assert.match(curl, /-H "Authorization: Bearer \$KEY"/);
  assert.match(curl, /-H 'content-type: application\/json'/);
  const bodies = [...text.matchAll(/-d '([^']*)'/g)].map((m) => m[1]);
  assert.ok(bodies.length >= 5, `the bodies the bullet gives: ${JSON.stringify(bodies)}`);
  for (const raw of bodies) {
    // The docs name a version to pin or to unpin with ("v7"): make it one the fake serves.
    const serving = new TrendServing();
    serving.versions = ['v8', 'v7', 'v6'];
    serving.version = 'v8';
    const { app } = await build({ apiKeys: [KEY] }, serving);
    try {
      if (raw !== '') JSON.parse(raw);
      const r = await app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, payload: raw });
      assert.equal(r.statusCode, 200, `-d '${raw}': ${r.body}`);
      const named = raw === '' ? undefined : (JSON.parse(raw) as { version?: string }).version;
      assert.equal(r.json().version, named ?? 'v7', `-d '${raw}' serves the version named, else the previous one`);
    } finally {
      await app.close();
    }
  }
});
