import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.ts';
import { HTTP_DEFAULTS, httpConfigFromSchema, resolveHttpConfig } from '../../../src/adapters/http/config.ts';
import { build } from './support/build.ts';

test('HTTP defaults are the config schema defaults (rate limit 200/s, burst 400), not a second set', () => {
  const schema = loadConfig({ env: {} }).http;
  assert.equal(HTTP_DEFAULTS.rateLimit.perKeyPerSecond, 200);
  assert.equal(HTTP_DEFAULTS.rateLimit.burst, 400);
  assert.equal(HTTP_DEFAULTS.rateLimit.perKeyPerSecond, schema.rateLimitPerSecond);
  assert.equal(HTTP_DEFAULTS.rateLimit.burst, schema.rateLimitBurst);
  assert.equal(HTTP_DEFAULTS.port, schema.port);
  assert.equal(HTTP_DEFAULTS.host, schema.host);
  assert.equal(HTTP_DEFAULTS.bodyLimitBytes, schema.bodyLimitBytes);
  assert.equal(HTTP_DEFAULTS.loadShedding.eventLoopDelayP99Ms, schema.eventLoopDelayP99Ms);
  assert.deepEqual(resolveHttpConfig({}), HTTP_DEFAULTS);
  assert.ok(Object.isFrozen(HTTP_DEFAULTS) && Object.isFrozen(HTTP_DEFAULTS.rateLimit));
});

test('env settings reach the adapter through httpConfigFromSchema', () => {
  const c = loadConfig({
    env: { TICKCAST_HTTP_RATE_LIMIT_PER_SECOND: '3', TICKCAST_HTTP_RATE_LIMIT_BURST: '2', TICKCAST_HTTP_MCP: 'false', TICKCAST_HTTP_TRUST_PROXY: 'true', TICKCAST_HTTP_EVENT_LOOP_DELAY_P99_MS: '55' },
  });
  const h = resolveHttpConfig(httpConfigFromSchema(c.http));
  assert.deepEqual([h.rateLimit.perKeyPerSecond, h.rateLimit.burst, h.mcp.enabled, h.trustProxy, h.loadShedding.eventLoopDelayP99Ms], [3, 2, false, true, 55]);
});

test('the schema default burst (400) is what a client actually gets before 429', async () => {
  const { app } = await build({});
  try {
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 401; i++) {
      const r = await app.inject({ method: 'GET', url: '/v1/series', headers: { 'x-forwarded-for': '10.0.0.1' } });
      if (r.statusCode === 429) limited += 1;
      else ok += 1;
    }
    // A few tokens refill during the loop (200/s), so at least 400 pass; the old 100 burst would stop at ~100.
    assert.ok(ok >= 400, `passed ${ok}`);
    assert.ok(limited <= 1, `limited ${limited}`);
  } finally {
    await app.close();
  }
});

test('http.trustProxyHops: the client IP is what the nearest proxies saw, so a client cannot write its own into X-Forwarded-For', async () => {
  const c = loadConfig({ env: { TICKCAST_HTTP_TRUST_PROXY_HOPS: '1', TICKCAST_HTTP_RATE_LIMIT_PER_SECOND: '1', TICKCAST_HTTP_RATE_LIMIT_BURST: '2' } });
  const h = httpConfigFromSchema(c.http);
  assert.equal(h.trustProxy, 1);
  const { app } = await build({ ...h, loadShedding: { enabled: false } });
  try {
    // The ingress (the socket peer) appended 203.0.113.7; the client wrote a new address before it each time.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await app.inject({ url: '/v1/series', headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` } });
      codes.push(r.statusCode);
    }
    assert.deepEqual(codes, [200, 200, 429, 429], 'one bucket: the address the ingress saw');
    const other = await app.inject({ url: '/v1/series', headers: { 'x-forwarded-for': '203.0.113.8' } });
    assert.equal(other.statusCode, 200, 'another client behind the same ingress has its own bucket');
  } finally {
    await app.close();
  }
  // trustProxy true believes every address: that same client gets a fresh bucket each time (why the hops exist).
  const loose = await build({ ...httpConfigFromSchema(loadConfig({ env: { TICKCAST_HTTP_TRUST_PROXY: 'true', TICKCAST_HTTP_RATE_LIMIT_PER_SECOND: '1', TICKCAST_HTTP_RATE_LIMIT_BURST: '2' } }).http), loadShedding: { enabled: false } });
  try {
    for (let i = 0; i < 4; i++) {
      const r = await loose.app.inject({ url: '/v1/series', headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` } });
      assert.equal(r.statusCode, 200);
    }
  } finally {
    await loose.app.close();
  }
});
