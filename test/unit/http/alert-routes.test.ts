/**
 * The feedback, incident and band-quality routes on a server whose ServingApi has none of them
 * (e.g. anomaly detection off): clear 404s; auth and schema checks run first; MCP tools answer
 * with the same error bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';

const auth = { authorization: `Bearer ${KEY}` };

test('feedback needs a key, is validated, and says when it is off', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const url = '/v1/anomalies/0123456789abcdef/feedback';
    assert.equal((await app.inject({ method: 'POST', url, payload: { verdict: 'confirmed' } })).statusCode, 401);
    const unknownField = await app.inject({ method: 'POST', url, headers: auth, payload: { verdict: 'confirmed', severity: 'low' } });
    assert.equal(unknownField.statusCode, 400);
    assert.match(unknownField.json().error.message, /unknown field "severity"/);
    const badVerdict = await app.inject({ method: 'POST', url, headers: auth, payload: { verdict: 'fp' } });
    assert.equal(badVerdict.statusCode, 400);
    assert.match(badVerdict.json().error.message, /body\.verdict must be one of "false_positive", "confirmed", "expected", "clear"/);
    const badId = await app.inject({ method: 'POST', url: '/v1/anomalies/a%2Fb/feedback', headers: auth, payload: { verdict: 'confirmed' } });
    assert.equal(badId.statusCode, 400);
    const noName = await app.inject({ method: 'POST', url, headers: auth, payload: { verdict: 'confirmed', by: '' } });
    assert.equal(noName.statusCode, 400, 'an empty "by" would erase who gave the feedback');
    const tooLong = await app.inject({ method: 'POST', url, headers: auth, payload: { verdict: 'expected', durationMs: 10 ** 12 } });
    assert.equal(tooLong.statusCode, 400);
    const off = await app.inject({ method: 'POST', url, headers: auth, payload: { verdict: 'confirmed' } });
    assert.equal(off.statusCode, 404);
    assert.equal(off.json().error.code, 'TC_HTTP_NOT_FOUND');
    assert.match(off.json().error.message, /alert feedback is off/);
    assert.equal((await app.inject({ method: 'DELETE', url, headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ url: '/v1/feedback?verdict=maybe', headers: auth })).statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/feedback', headers: auth })).statusCode, 404);
  } finally {
    await app.close();
  }
});

test('incidents and band quality: 404 with a hint when the server has none; query checked', async () => {
  const { app } = await build();
  try {
    const inc = await app.inject({ url: '/v1/incidents' });
    assert.equal(inc.statusCode, 404);
    assert.match(inc.json().error.hint, /incidents\.groupBy/);
    assert.equal((await app.inject({ url: '/v1/incidents?limit=0' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/band-quality' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/v1/band-quality?limit=5000' })).statusCode, 400);
  } finally {
    await app.close();
  }
});

test('snapshot status over REST: 404 with a hint when snapshots are off, the status when on (the agent tool: mcp.test.ts)', async () => {
  const { app, serving } = await build();
  try {
    const off = await app.inject({ url: '/v1/snapshots' });
    assert.equal(off.statusCode, 404);
    assert.equal(off.json().error.code, 'TC_HTTP_NOT_FOUND');
    assert.match(off.json().error.hint, /snapshots\.enabled/);
    const status = {
      file: '/var/lib/tickcast/models/series-state/series-state.snap',
      intervalMs: 60_000,
      last: { atMs: 1_700_000_000_000, series: 3, bytes: 4096, captureMs: 5, writeMs: 2 },
      failures: 1,
      lastError: { atMs: 1_699_999_940_000, message: 'Error: ENOSPC: no space left on device' },
      start: { loaded: true, reason: null, series: 3, detectors: 3, loadMs: 4, restoreMs: 1 },
      replayed: { full: 30, window: 0 },
    };
    (serving as unknown as { snapshotStatus: () => unknown }).snapshotStatus = () => status;
    const on = await app.inject({ url: '/v1/snapshots' });
    assert.equal(on.statusCode, 200);
    assert.deepEqual(on.json(), status);
  } finally {
    await app.close();
  }
});
