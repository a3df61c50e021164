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
