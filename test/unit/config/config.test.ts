import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, envName, configKeys } from '../../../src/config/load.ts';

test('defaults alone give embedded mode and a frozen config', () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual(c.kafka.brokers, []);
  assert.equal(c.topics.dlq, 'ticks.dlq');
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.batching));
  assert.throws(() => ((c.batching as { maxBatchSize: number }).maxBatchSize = 1));
});

test('env names follow the schema paths; arrays are comma lists; KAFKA_BROKERS alias', () => {
  assert.equal(envName('batching.maxWaitMs'), 'TICKCAST_BATCHING_MAX_WAIT_MS');
  const c = loadConfig({ env: { TICKCAST_BATCHING_MAX_WAIT_MS: '7', KAFKA_BROKERS: 'a:9092, b:9092', TICKCAST_INPUT_FEATURES: 'price,volume', TICKCAST_INPUT_TARGETS: 'price', TICKCAST_INPUT_NON_NEGATIVE: 'price, volume' } });
  assert.equal(c.batching.maxWaitMs, 7);
  assert.deepEqual(c.kafka.brokers, ['a:9092', 'b:9092']);
  assert.deepEqual(c.input.targets, ['price']);
  assert.deepEqual(c.input.nonNegative, ['price', 'volume']);
});

test('YAML file, then env, then overrides; *_FILE reads secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-cfg-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'batching:\n  maxBatchSize: 32\n  maxWaitMs: 9\nhttp:\n  port: 9000\n');
  writeFileSync(join(dir, 'keys'), 'k-aaaaaaaaaaaaaaaaaaaa,k-bbbbbbbbbbbbbbbbbbbb\n');
  const c = loadConfig({ env: { TICKCAST_CONFIG_FILE: file, TICKCAST_BATCHING_MAX_WAIT_MS: '3', TICKCAST_HTTP_API_KEYS_FILE: join(dir, 'keys') }, overrides: { http: { port: 1 } } });
  assert.equal(c.batching.maxBatchSize, 32);
  assert.equal(c.batching.maxWaitMs, 3);
  assert.equal(c.http.port, 1);
  assert.equal(c.http.apiKeys.length, 2);
});

test('all problems are reported at once, with the env name to fix', () => {
  try {
    loadConfig({ env: { TICKCAST_BATCHING_MAX_BATCH_SIZE: '0', TICKCAST_NOPE: 'x', TICKCAST_KAFKA_DELIVERY: 'maybe', TICKCAST_HTTP_PORT: 'eighty' } });
    assert.fail('must throw');
  } catch (err) {
    const e = err as { code: string; message: string; details: { problems: string[] } };
    assert.equal(e.code, 'TC_CONFIG_INVALID');
    assert.ok(e.details.problems.length >= 3, e.message);
    assert.match(e.message, /TICKCAST_NOPE: unknown setting/);
    assert.match(e.message, /TICKCAST_HTTP_PORT: expected a number/);
  }
  assert.throws(() => loadConfig({ env: {}, overrides: { batching: { lowWaterMark: 10, highWaterMark: 5 } } }), /lowWaterMark.*must be below/);
  assert.throws(() => loadConfig({ env: {}, overrides: { input: { features: ['a'], targets: ['b'] } } }), /target "b" is not one of/);
  assert.throws(() => loadConfig({ env: {}, overrides: { kafka: { delivery: 'exactly-once' } } }), /transactionalId.*is required/);
});

test('every key is documented in docs/configuration.md', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const missing = configKeys().filter((k) => !doc.includes(`\`${k.path}\``) || !doc.includes(k.env));
  assert.deepEqual(missing.map((k) => k.path), [], 'keys missing from docs/configuration.md');
});
