import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../../../src/errors/index.ts';
import { toErrorResponse } from '../../../src/adapters/http/errors.ts';
import { TickcastError } from '../../../src/errors/index.ts';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(TC_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

test('docs/errors.md has exactly one row per code in src/errors/catalogue.ts', () => {
  const codes = Object.values(ErrorCodes);
  const missing = codes.filter((c) => !documented.includes(c));
  const extra = documented.filter((c) => !(codes as readonly string[]).includes(c));
  const dupes = documented.filter((c, i) => documented.indexOf(c) !== i);
  assert.deepEqual({ missing, extra, dupes }, { missing: [], extra: [], dupes: [] }, 'add/remove rows in docs/errors.md');
});

test('the HTTP status documented for each HTTP-facing code is the one the error handler answers with', () => {
  const rows = new Map([...doc.matchAll(/^\| `(TC_[A-Z0-9_]+)` \| [^|]+ \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]));
  const fromHandler: Array<[string, unknown]> = [
    [ErrorCodes.HTTP_PAYLOAD_TOO_LARGE, { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }],
    [ErrorCodes.HTTP_UNSUPPORTED_MEDIA_TYPE, { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }],
    [ErrorCodes.HTTP_BAD_REQUEST, { validation: [{ instancePath: '/window', keyword: 'type', params: { type: 'array' } }], validationContext: 'body' }],
    [ErrorCodes.INTERNAL, new Error('boom at /secret/path.ts:12')],
  ];
  for (const [code, err] of fromHandler) {
    const r = toErrorResponse(err);
    assert.equal(r.body.error.code, code);
    assert.ok(rows.get(code)!.startsWith(String(r.statusCode)), `${code}: doc says ${rows.get(code)}, handler answers ${r.statusCode}`);
  }
  const internal = toErrorResponse(new Error('boom at /secret/path.ts:12'));
  assert.doesNotMatch(JSON.stringify(internal.body), /boom|secret/);
  const wrapped = toErrorResponse(new TickcastError(ErrorCodes.INTERNAL, 'db password xyz leaked', { statusCode: 500 }));
  assert.doesNotMatch(JSON.stringify(wrapped.body), /password/);
});

test('every code in the catalogue is raised somewhere in src/ (a documented code a user can never see misleads)', () => {
  const srcDir = fileURLToPath(new URL('../../../src/', import.meta.url));
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('catalogue.ts'));
  const text = files.map((f) => readFileSync(join(srcDir, f), 'utf8')).join('\n');
  const unused = Object.entries(ErrorCodes).filter(([key]) => !new RegExp(`ErrorCodes\\.${key}\\b`).test(text)).map(([, code]) => code);
  assert.deepEqual(unused, [], 'raise these codes, or remove them from src/errors/catalogue.ts and docs/errors.md');
});

interface Raise {
  code: string;
  retriable: boolean;
  at: string;
}

/**
 * Every `new TickcastError(ErrorCodes.X, …)` and `httpError(ErrorCodes.X, status, …)` in src/, and
 * whether it is raised retriable: `retriable: true` in its arguments, or (httpError's default) a 5xx
 * status without `retriable: false`.
 */
function raisesInSrc(): Raise[] {
  const srcDir = fileURLToPath(new URL('../../../src/', import.meta.url));
  const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const raises: Raise[] = [];
  for (const f of files) {
    const text = readFileSync(join(srcDir, f), 'utf8');
    for (const m of text.matchAll(/(new TickcastError|\bhttpError)\(\s*ErrorCodes\.([A-Z0-9_]+)/g)) {
      // The call's argument list, up to its closing parenthesis.
      let depth = 0;
      let end = m.index + m[1].length;
      for (; end < text.length; end++) {
        if (text[end] === '(') depth++;
        else if (text[end] === ')' && --depth === 0) break;
      }
      const args = text.slice(m.index, end);
      const fiveHundred = m[1] === 'httpError' && /^httpError\(\s*ErrorCodes\.[A-Z0-9_]+,\s*5\d\d\b/.test(args);
      const retriable = /\bretriable:\s*true\b/.test(args) || (fiveHundred && !/\bretriable:\s*false\b/.test(args));
      raises.push({ code: (ErrorCodes as Record<string, string>)[m[2]], retriable, at: `src/${f}:${text.slice(0, m.index).split('\n').length}` });
    }
  }
  return raises;
}

const retriableColumn = new Map([...doc.matchAll(/^\| `(TC_[A-Z0-9_]+)` \|[^|]+\|[^|]+\| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]));

test('a code raised retriable somewhere in src/ is documented as retriable (at least in some case)', () => {
  const retriable = new Set(raisesInSrc().filter((r) => r.retriable).map((r) => r.code));
  assert.ok(retriable.has(ErrorCodes.OVERLOADED), `expected to find the retriable raises; got ${[...retriable].join(', ')}`);
  const wrong = [...retriable].filter((c) => !/\byes\b/.test(retriableColumn.get(c) ?? '')).map((c) => `${c}: raised with retriable: true, documented as "${retriableColumn.get(c)}"`);
  assert.deepEqual(wrong, [], 'docs/errors.md Retriable column');
});

test('a code documented plainly retriable ("yes") is raised retriable everywhere in src/', () => {
  const yes = [...retriableColumn].filter(([, v]) => v === 'yes').map(([c]) => c);
  assert.ok(yes.includes(ErrorCodes.OVERLOADED), `expected to read the Retriable column; got ${yes.join(', ')}`);
  const raises = raisesInSrc();
  const wrong = raises.filter((r) => yes.includes(r.code) && !r.retriable).map((r) => `${r.at}: ${r.code} documented retriable "yes", raised without retriable: true`);
  assert.deepEqual(wrong, [], 'raise it retriable, or qualify the Retriable column in docs/errors.md ("yes (…)", "no")');
});
