import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';
import { trendForecast } from './support/trend-serving.ts';

test('POST /v1/predict forecasts from the window sent: linear trend continues, bands widen with the step', async () => {
  const { app } = await build();
  try {
    const window = [10, 12, 14, 16, 18, 20];
    const r = await app.inject({ method: 'POST', url: '/v1/predict', payload: { window, horizon: 3 } });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.model, 'trend-v2');
    assert.deepEqual(body.horizon.map((s: { step: number }) => s.step), [1, 2, 3]);
    assert.deepEqual(body.horizon.map((s: { p50: number }) => Math.round(s.p50 * 1e6) / 1e6), [22, 24, 26]);
    assert.equal(body.attention, undefined);
    for (const s of body.horizon) assert.ok(s.p10 <= s.p50 && s.p50 <= s.p90);

    const noisy = [10, 13, 13, 17, 17, 21, 20];
    const n = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: noisy, horizon: 4 } })).json();
    const widths = n.horizon.map((s: { p10: number; p90: number }) => s.p90 - s.p10);
    assert.ok(widths[3] > widths[0], `band widens: ${widths.join(',')}`);
    assert.deepEqual(n.horizon.map((s: { p50: number }) => s.p50), trendForecast(noisy, 4, 0).map((s) => s.p50));
  } finally {
    await app.close();
  }
});

test('POST /v1/predict accepts a 2-D window, explain returns attention summing to 1, and {series} uses the held window', async () => {
  const { app, serving } = await build();
  try {
    const r = await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: [[1, 5], [2, 5], [3, 5]], explain: true } });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.horizon.length, 8);
    assert.ok(Math.abs(b.horizon[0].p50 - 4) < 1e-9);
    assert.equal(b.attention.length, 3);
    assert.ok(Math.abs(b.attention.reduce((a: number, x: number) => a + x, 0) - 1) < 1e-9);

    for (let i = 0; i < 10; i++) serving.ingest('AAPL', 1_000 * i, 50 - i);
    const s = await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'AAPL', horizon: 2 } });
    assert.equal(s.statusCode, 200, s.body);
    assert.equal(s.json().series, 'AAPL');
    assert.deepEqual(s.json().horizon.map((x: { p50: number }) => Math.round(x.p50)), [40, 39]);
    assert.deepEqual(s.json().horizon.map((x: { ts: number }) => x.ts), [10_000, 11_000]);

    const missing = await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'MSFT' } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'TC_SERIES_NOT_FOUND');
  } finally {
    await app.close();
  }
});

test('POST /v1/predict explains what is wrong: both/neither of window and series, ragged rows, strings, unknown fields', async () => {
  const { app } = await build({ maxWindowLength: 50 });
  try {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /needs "window".*or "series"/],
      [{ window: [1, 2], series: 'A' }, /either "window" or "series", not both/],
      [{ window: [[1, 2], [3]] }, /ragged: row 0 has 2 features but row 1 has 1/],
      [{ window: ['1.5', 2] }, /body\.window\[0\] must be a number/],
      [{ window: [1, 2, null] }, /^body\.window\[2\] must be a number; got null$/],
      // A 2-D window: the message names the value that is wrong, not window[0] (the 1-D reading's first error).
      [{ window: [[1], [2], ['3']] }, /^body\.window\[2\]\[0\] must be a number; got the string "3"$/],
      [{ window: [[1, 2], [3, NaN]] }, /^body\.window\[1\]\[1\] must be a number; got null$/], // NaN: JSON.stringify writes null
      [{ window: [[1], [2], []] }, /^body\.window\[2\] has too few items \(at least 1\)$/],
      [{ window: [[1], 2] }, /^body\.window\[1\] must be an array$/],
      [{ window: [1, 2], windw: [1] }, /unknown field "windw"/],
      [{ window: Array.from({ length: 51 }, (_, i) => i) }, /too many items \(at most 50\)|wrong shape/],
      [{ window: [1, 2], horizon: 0 }, /body\.horizon must be >= 1/],
      [{ window: [1, 2], horizon: 2.5 }, /body\.horizon must be an integer/],
      [[1, 2, 3], /body must be an object/],
    ];
    for (const [payload, re] of cases) {
      const r = await app.inject({ method: 'POST', url: '/v1/predict', payload: payload as object });
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload).slice(0, 60)} -> ${r.body}`);
      const e = r.json().error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
      assert.match(e.message, re);
      assert.doesNotMatch(r.body, /at .*\.ts:\d+|node_modules/);
    }
    const str = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: ['1.5', 2] } })).json();
    assert.match(str.error.hint, /1\.5, not "1\.5"/);
    // A window keyed by feature name, as a data frame's to_dict() gives it: the hint says the shape the model reads
    // (until 7 Dec 2026 a step {"bid":…} got "send JSON numbers (1.5, not \"1.5\")", the column object "send a JSON array").
    const frames: Array<[object, string]> = [
      [{ window: [{ bid: 101.2, ask: 101.3 }, { bid: 101.4, ask: 101.5 }] }, 'body.window[0] must be a number; got an object (keys "bid", "ask")'],
      [{ window: { bid: [101.2, 101.4], ask: [101.3, 101.5] } }, 'body.window must be an array; got an object (keys "bid", "ask")'],
      [{ window: [[{ bid: 101.2 }]] }, 'body.window[0][0] must be a number; got an object (keys "bid")'],
    ];
    for (const [payload, message] of frames) {
      const e = (await app.inject({ method: 'POST', url: '/v1/predict', payload })).json().error;
      assert.deepEqual([e.code, e.message], ['TC_HTTP_BAD_REQUEST', message]);
      assert.match(e.hint, /not keyed by feature name: .*an array of its values in the model's feature order \(GET \/v1\/model: spec\.features\)/);
      assert.doesNotMatch(e.hint, /1\.5, not/);
    }
    const horizon = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: [1, 2], horizon: { steps: 2 } } })).json().error;
    assert.deepEqual([horizon.message, horizon.hint], ['body.horizon must be an integer; got an object (keys "steps")', 'send a JSON integer here, not an object']);
  } finally {
    await app.close();
  }
});

test('GET /v1/series pages, GET /v1/series/:id shows window, last forecast and anomaly state; unknown id is 404 with a hint', async () => {
  const { app, serving } = await build();
  try {
    for (const id of ['C', 'A', 'B', 'D', 'E']) for (let i = 0; i < 3; i++) serving.ingest(id, i * 1000, 10 + i);
    const p1 = (await app.inject({ url: '/v1/series?offset=0&limit=2' })).json();
    const p2 = (await app.inject({ url: '/v1/series?offset=2&limit=2' })).json();
    const p3 = (await app.inject({ url: '/v1/series?offset=4&limit=2' })).json();
    assert.equal(p1.total, 5);
    assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((s: { id: string }) => s.id), ['A', 'B', 'C', 'D', 'E']);
    assert.equal(p3.items.length, 1);
    const badLimit = await app.inject({ url: '/v1/series?limit=0' });
    assert.equal(badLimit.statusCode, 400);
    assert.match(badLimit.json().error.message, /querystring\.limit must be >= 1/);

    for (let i = 3; i < 20; i++) serving.ingest('A', i * 1000, 10 + i);
    assert.equal((await app.inject({ url: '/v1/series/A' })).json().anomalyState, 'normal');
    serving.ingest('A', 20_000, 500); // far outside the band: anomaly
    const d = (await app.inject({ url: '/v1/series/A' })).json();
    assert.deepEqual(d.window.values.price.slice(-3), [28, 29, 500]);
    assert.equal(d.ticks, 21);
    assert.equal(d.anomalyState, 'firing');
    assert.equal(d.lastForecast.ts, 20_000);
    assert.ok(d.lastScore > 3);
    const an = (await app.inject({ url: '/v1/anomalies?series=A&limit=5' })).json();
    assert.equal(an.items.length, 1);
    assert.equal(an.items[0].value, 500);
    assert.ok(Math.abs(an.items[0].expected - 30) < 1e-6);

    const nf = await app.inject({ url: '/v1/series/nope' });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, 'TC_SERIES_NOT_FOUND');
    assert.match(nf.json().error.hint, /GET \/v1\/series/);
    // Ids may hold '/' (input.seriesPattern): percent-encoded they are found; sent raw, the 404 says how to send them.
    for (let i = 0; i < 3; i++) serving.ingest('fx/EURUSD', i * 1000, 1 + i);
    assert.equal((await app.inject({ url: `/v1/series/${encodeURIComponent('fx/EURUSD')}` })).json().id, 'fx/EURUSD');
    const raw = await app.inject({ url: '/v1/series/fx/EURUSD' });
    assert.equal(raw.statusCode, 404);
    assert.match(raw.json().error.hint, /must be percent-encoded in the path \(fx%2FEURUSD\)/);
  } finally {
    await app.close();
  }
});

test('GET /v1/model and POST /v1/model/rollback (key required; unknown version is 404 listing the available ones)', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  try {
    assert.equal((await app.inject({ url: '/v1/model' })).json().version, 'trend-v2');
    // When the serving version began serving (documented in the OpenAPI document: below).
    assert.equal((await app.inject({ url: '/v1/model' })).json().servingSinceMs, Date.UTC(2026, 11, 6, 9));
    const noKey = await app.inject({ method: 'POST', url: '/v1/model/rollback', payload: {} });
    assert.equal(noKey.statusCode, 401);
    assert.equal(serving.version, 'trend-v2');
    const auth = { authorization: `Bearer ${KEY}` };
    const ok = await app.inject({ method: 'POST', url: '/v1/model/rollback', payload: { pin: true }, headers: auth });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().version, 'trend-v1');
    assert.equal(ok.json().pinned, true);
    // no body at all is fine too (roll back to the previous one)
    serving.version = 'trend-v2';
    const noBody = await app.inject({ method: 'POST', url: '/v1/model/rollback', headers: auth });
    assert.equal(noBody.statusCode, 200, noBody.body);
    assert.equal(noBody.json().version, 'trend-v1');
    assert.equal(noBody.json().pinned, false);
    const bad = await app.inject({ method: 'POST', url: '/v1/model/rollback', payload: { version: 'v9' }, headers: auth });
    assert.equal(bad.statusCode, 404);
    assert.deepEqual(bad.json().error.details.available, ['trend-v2', 'trend-v1']);
    assert.match(bad.json().error.hint, /available versions/);
    for (const version of ['banana', '../v1', 'V1', 'v1.0', 'v-1']) {
      const malformed = await app.inject({ method: 'POST', url: '/v1/model/rollback', payload: { version }, headers: auth });
      assert.equal(malformed.statusCode, 400, version);
      assert.equal(malformed.json().error.code, 'TC_HTTP_BAD_REQUEST', `${version}: a malformed label is bad input, not a missing model`);
    }
    const predicted = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: [1, 2] } })).json();
    assert.equal(predicted.model, 'trend-v1');
  } finally {
    await app.close();
  }
});

test('/healthz, /readyz (503 with reasons), /metrics (registry text), /docs OpenAPI from route schemas, 404 with a code', async () => {
  const { app, serving, registry } = await build();
  try {
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/readyz' })).json().status, 'ready');
    serving.ready = false;
    const nr = await app.inject({ url: '/readyz' });
    assert.equal(nr.statusCode, 503);
    assert.deepEqual(nr.json().reasons, ['model not loaded']);
    serving.ready = true;
    serving.draining = true;
    const dr = await app.inject({ url: '/readyz' });
    assert.equal(dr.statusCode, 503);
    assert.ok(dr.json().reasons.includes('draining'));
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'still live while draining');
    serving.draining = false;

    registry.registerMetric(new (await import('prom-client')).Counter({ name: 'tickcast_test_total', help: 'x', registers: [] }));
    await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: [1, 2, 3] } });
    const m = await app.inject({ url: '/metrics' });
    assert.equal(m.statusCode, 200);
    assert.match(m.headers['content-type'] as string, /text\/plain/);
    assert.match(m.body, /tickcast_test_total 0/);
    assert.match(m.body, /tickcast_http_request_duration_seconds_count\{method="POST",route="\/v1\/predict",status="200"\} 1/);

    const spec = (await app.inject({ url: '/docs/json' })).json();
    assert.equal(spec.openapi, '3.0.3');
    for (const p of ['/v1/predict', '/v1/series', '/v1/series/{id}', '/v1/model', '/v1/model/rollback', '/healthz', '/readyz', '/v1/tools']) {
      assert.ok(spec.paths[p], `OpenAPI has ${p}`);
    }
    assert.equal(spec.paths['/v1/model'].get.responses['200'].content['application/json'].schema.properties.servingSinceMs?.type, 'integer', 'GET /v1/model documents servingSinceMs');
    const predictBody = spec.paths['/v1/predict'].post.requestBody.content['application/json'].schema;
    // Two whole objects, window's and series' (openapi-transforms.ts documentExactlyOne), each with horizon.
    assert.ok(predictBody.oneOf[0].properties.window && predictBody.oneOf[1].properties.series && predictBody.oneOf.every((b: any) => b.properties.horizon.maximum === 256));
    const ui = await app.inject({ url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.doesNotMatch(ui.body, /https?:\/\/(unpkg|cdn)/);

    const nf = await app.inject({ method: 'DELETE', url: '/v1/nothing' });
    assert.equal(nf.statusCode, 404);
    assert.deepEqual(Object.keys(nf.json().error).sort(), ['code', 'hint', 'message', 'retriable']);
    assert.equal(nf.json().error.code, 'TC_HTTP_NOT_FOUND');
  } finally {
    await app.close();
  }
});

test('GET /v1/tools lists the four agent tools with JSON schemas', async () => {
  const { app } = await build({ maxHorizon: 32 });
  try {
    const b = (await app.inject({ url: '/v1/tools' })).json();
    assert.deepEqual(b.tools.map((t: { function: { name: string } }) => t.function.name), ['forecast', 'list_series', 'recent_anomalies', 'explain_forecast', 'give_alert_feedback', 'list_alert_feedback', 'list_incidents', 'band_quality', 'snapshot_status']);
    const fc = b.tools[0].function;
    assert.equal(fc.parameters.type, 'object');
    assert.equal(fc.parameters.properties.horizon.maximum, 32);
    assert.equal(b.mcp.url, '/mcp');
  } finally {
    await app.close();
  }
});

test('POST /v1/predict without any body is a 400 that says what to send', async () => {
  const { app } = await build();
  try {
    const r = await app.inject({ method: 'POST', url: '/v1/predict' });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().error.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(r.json().error.message, /needs "window"/);
  } finally {
    await app.close();
  }
});

test('a NaN held by the service (missing value) is answered as null, not a 500', async () => {
  const { app, serving } = await build();
  try {
    for (let i = 0; i < 3; i++) serving.ingest('N', i * 1000, i);
    serving.ingest('N', 3000, Number.NaN);
    const r = await app.inject({ url: '/v1/series/N' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().window.values.price, [0, 1, 2, null]);
    assert.equal(r.json().lastForecast.horizon[0].p50, null);
  } finally {
    await app.close();
  }
});

test('a query parameter given twice is 400 saying so, not "must be an integer"', async () => {
  const { app } = await build();
  try {
    for (const url of ['/v1/series?limit=1&limit=2', '/v1/anomalies?series=a&series=b', '/v1/band-quality?limit=5&limit=5&limit=5']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 400, url);
      assert.equal(r.json().error.code, 'TC_HTTP_BAD_REQUEST');
      assert.match(r.json().error.message, /^querystring\.(limit|series) is given [23] times; give it once$/, url);
    }
    assert.equal((await app.inject({ url: '/v1/series?limit=2' })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test('a guessed sub-route of a series (/v1/series/A/forecast, …/anomalies) is a 404 whose hint names the routes that answer it', async () => {
  const { app } = await build();
  try {
    const f = await app.inject({ url: '/v1/series/A%20B/forecast' });
    assert.equal(f.statusCode, 404);
    assert.match(f.json().error.hint, /POST \/v1\/predict \{"series":"A B"\}/);
    assert.match(f.json().error.hint, /GET \/v1\/anomalies\?series=A%20B/);
    assert.match((await app.inject({ url: '/v1/series/A/anomalies' })).json().error.hint, /GET \/v1\/anomalies\?series=A/);
    // Anything else under a series is still taken for an id with a raw '/'.
    assert.match((await app.inject({ url: '/v1/series/fx/EURUSD' })).json().error.hint, /^a series id that contains "\/" must be percent-encoded/);
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 a string that failed its pattern or length got ajv's bare "must match pattern …", no value and no hint.
test('a string field that fails its pattern is a 400 quoting the value sent, with the field description as the hint', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const res = await app.inject({ method: 'POST', url: '/v1/model/rollback', headers: { authorization: `Bearer ${KEY}` }, payload: { version: 'x' } });
    assert.equal(res.statusCode, 400, res.body);
    const e = res.json().error;
    assert.match(e.message, /^body\.version must match pattern .*; got "x"$/);
    assert.match(e.hint, /^Version to roll back to \(v1, v2/);
  } finally {
    await app.close();
  }
});
