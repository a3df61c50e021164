/**
 * Fuzz: thousands of hostile POST /v1/predict requests, each invalid by construction. Every answer
 * must be a 4xx carrying a TC_ code (never a 5xx, never a stack trace), and valid requests sent in
 * between keep getting real forecasts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 as rng } from '../../../src/model/random.ts';
import { build } from './support/build.ts';

const MAX_WINDOW = 256;
const MAX_FEATURES = 8;
const BODY_LIMIT = 32 * 1024;
const TARGET = 6000;


interface Case {
  kind: string;
  contentType?: string;
  payload: string | Buffer;
}

function generator(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const nums = (n: number) => Array.from({ length: n }, () => Math.round((rand() * 200 - 100) * 1000) / 1000);
  const validWindow = () => nums(2 + int(30));
  const json = (o: unknown, kind: string): Case => ({ kind, contentType: 'application/json', payload: JSON.stringify(o) });
  const raw = (s: string, kind: string): Case => ({ kind, contentType: 'application/json', payload: s });
  const wrongValues: unknown[] = ['1', '', 'abc', true, false, null, {}, { a: 1 }, [], [[]], 42, -1, 1.5, [null], [true], [{}], ['1.5', '2']];

  const makers: Array<() => Case> = [
    // wrong types for every field
    () => json({ window: pick(wrongValues.filter((v) => !(Array.isArray(v) && v.length === 0 ? false : Array.isArray(v) && typeof v[0] === 'number'))) }, 'window-wrong-type'),
    () => json({ window: validWindow(), horizon: pick(['3', 0, -1, 2.5, 1e9, null, true, [3], {}]) }, 'horizon-wrong'),
    () => json({ window: validWindow(), explain: pick(['true', 1, 0, null, [], {}]) }, 'explain-wrong'),
    () => json({ series: pick([1, null, true, [], {}, '', 'x'.repeat(300)]) }, 'series-wrong'),
    () => json(pick([null, 1, 'window', true, [1, 2, 3], [[1, 2]]]), 'body-not-object'),
    // numbers as strings, anywhere in the window
    () => {
      const w: unknown[] = validWindow();
      w[int(w.length)] = String(w[0]);
      return json({ window: w }, 'number-as-string');
    },
    () => {
      const w: unknown[][] = Array.from({ length: 3 + int(10) }, () => nums(2));
      w[int(w.length)][int(2)] = pick(['1', 'NaN', 'Infinity', '']);
      return json({ window: w }, 'number-as-string-2d');
    },
    // NaN / Infinity via raw JSON text (JSON.stringify cannot produce them)
    () => {
      const w = validWindow().map(String);
      w[int(w.length)] = pick(['NaN', 'Infinity', '-Infinity', 'nan', 'inf', '1e999', '-1e999', '0x10', '1_000', '.5', '+1', '01']);
      return raw(`{"window":[${w.join(',')}]}`, 'non-finite-raw');
    },
    // huge and ragged arrays
    () => json({ window: nums(MAX_WINDOW + 1 + int(500)) }, 'window-too-long'),
    () => json({ window: [] }, 'window-empty'),
    () => json({ window: Array.from({ length: 3 + int(20) }, () => nums(MAX_FEATURES + 1 + int(5))) }, 'too-many-features'),
    () => {
      const rows = Array.from({ length: 3 + int(20) }, () => nums(2 + int(3)));
      rows[1 + int(rows.length - 1)] = nums(rows[0].length + 1);
      return json({ window: rows }, 'ragged');
    },
    () => json({ window: [[]] }, 'empty-row'),
    () => json({ window: [1, [2, 3], 4] }, 'mixed-depth'),
    () => json({ window: [[[1, 2]], [[3, 4]]] }, 'three-d'),
    // deep nesting
    () => {
      const d = 50 + int(5000);
      return raw(`{"window":${'['.repeat(d)}1${']'.repeat(d)}}`, 'deep-array');
    },
    () => {
      const d = 50 + int(3000);
      return raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`, 'deep-object');
    },
    // wrong content types
    () => ({ kind: 'content-type', contentType: pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png', 'application/octet-stream']), payload: JSON.stringify({ window: validWindow() }) }),
    () => ({ kind: 'no-content-type', payload: JSON.stringify({ window: validWindow() }) }),
    () => ({ kind: 'form-body', contentType: 'application/x-www-form-urlencoded', payload: 'window=1,2,3' }),
    // oversize
    () => json({ window: nums(5000 + int(5000)) }, 'oversize'),
    () => raw(`{"window":[1,2],"pad":"${'x'.repeat(BODY_LIMIT)}"}`, 'oversize-string'),
    // broken JSON and prototype tricks
    () => {
      const s = JSON.stringify({ window: validWindow() });
      return raw(s.slice(0, 1 + int(s.length - 2)), 'truncated');
    },
    () => raw(pick(['', ' ', '{', '}', '{"window":}', "{'window':[1,2]}", '{"window":[1,2],}', '[1,2', 'undefined', '\u0000', '{"window":[1 2]}']), 'bad-json'),
    () => raw('{"window":[1,2],"__proto__":{"polluted":true}}', 'proto'),
    () => raw('{"window":[1,2],"constructor":{"prototype":{"polluted":true}}}', 'constructor'),
    () => json({ window: validWindow(), [pick(['windows', 'Window', 'horizont', 'model', 'extra'])]: 1 }, 'unknown-field'),
    () => json({ window: validWindow(), series: 'AAPL' }, 'both'),
    () => json({ horizon: 3 }, 'neither'),
    () => ({ kind: 'binary', contentType: 'application/json', payload: Buffer.from(Array.from({ length: 1 + int(200) }, () => int(256))) }),
  ];
  return (): Case => {
    const c = pick(makers)();
    // binary junk could, in theory, be valid JSON for a valid request; it never is for these makers
    // except binary, whose first byte we force to something JSON cannot start with.
    if (c.kind === 'binary' && Buffer.isBuffer(c.payload)) c.payload[0] = 0x01;
    return c;
  };
}

test(`fuzz: ${TARGET} hostile bodies all get 4xx with a TC_ code, none 5xx; valid requests keep working`, async () => {
  const { app, serving } = await build({
    maxWindowLength: MAX_WINDOW,
    maxFeatures: MAX_FEATURES,
    bodyLimitBytes: BODY_LIMIT,
    rateLimit: { enabled: false },
  });
  const next = generator(rng(20261121));
  const byKind = new Map<string, Map<number, number>>();
  const failures: string[] = [];
  let valid = 0;
  try {
    for (let sent = 0; sent < TARGET; ) {
      const batch: Promise<void>[] = [];
      for (let j = 0; j < 50; j++, sent++) {
        const c = next();
        const headers: Record<string, string> = {};
        if (c.contentType !== undefined) headers['content-type'] = c.contentType;
        batch.push(
          app.inject({ method: 'POST', url: '/v1/predict', headers, payload: c.payload }).then((r) => {
            const counts = byKind.get(c.kind) ?? new Map<number, number>();
            counts.set(r.statusCode, (counts.get(r.statusCode) ?? 0) + 1);
            byKind.set(c.kind, counts);
            let code: unknown;
            try {
              code = r.json().error?.code;
            } catch {
              code = undefined;
            }
            if (r.statusCode < 400 || r.statusCode >= 500 || typeof code !== 'string' || !code.startsWith('TC_') || /\.ts:\d+|\bat [\w.]+ \(/.test(r.body)) {
              if (failures.length < 10) failures.push(`${c.kind}: ${r.statusCode} ${r.body.slice(0, 200)} <- ${String(c.payload).slice(0, 120)}`);
            }
          }),
        );
      }
      // a valid request alongside every batch
      const w = [1, 2, 3, 4, 5].map((x) => x * (1 + valid));
      batch.push(
        app.inject({ method: 'POST', url: '/v1/predict', payload: { window: w, horizon: 1 } }).then((r) => {
          assert.equal(r.statusCode, 200, r.body);
          assert.ok(Math.abs(r.json().horizon[0].p50 - 6 * (1 + valid)) < 1e-6);
          valid++;
        }),
      );
      await Promise.all(batch);
    }
  } finally {
    await app.close();
  }
  assert.deepEqual(failures, []);
  const total = [...byKind.values()].reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y, 0), 0);
  assert.equal(total, TARGET);
  assert.equal(valid, TARGET / 50);
  // every category was exercised and answered with the status its kind calls for
  assert.ok(byKind.size >= 29, `kinds: ${[...byKind.keys()].join(',')}`);
  assert.deepEqual([...byKind.get('oversize')!.keys()], [413]);
  assert.deepEqual([...byKind.get('content-type')!.keys()], [415]);
  assert.deepEqual([...byKind.get('non-finite-raw')!.keys()], [400]);
  assert.ok(serving.forecastCalls === valid, `the model saw only the ${valid} valid requests (saw ${serving.forecastCalls})`);
});
