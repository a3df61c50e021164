/**
 * A property librdkafka does not know (a typo in kafka.properties / TICKCAST_KAFKA_PROPERTIES) or
 * a value it refuses: a configuration problem naming the setting when the service is built
 * (TC_CONFIG_INVALID; src/main.ts exits 78), not a bare client error (KafkaJSError code -1) once
 * the start has begun.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';

test('an unknown or invalid librdkafka property fails the build with TC_CONFIG_INVALID naming kafka.properties', async () => {
  for (const [properties, said] of [
    [{ 'sasl.mechansims': 'PLAIN' }, /No such configuration property: "sasl\.mechansims"/],
    [{ 'message.max.bytes': 'lots' }, /Invalid value for configuration property "message\.max\.bytes"/],
  ] as const) {
    const config = testConfig({ kafka: { brokers: ['127.0.0.1:9'], groupId: 'typo', properties } });
    await assert.rejects(buildApp(config), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TC_CONFIG_INVALID');
      assert.match(err.message, /kafka\.properties \(TICKCAST_KAFKA_PROPERTIES\)/);
      assert.match(err.message, said);
      return true;
    });
  }
});

test('the process exits 78 with the problem on stderr', () => {
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KAFKA_BROKERS: '127.0.0.1:9', TICKCAST_KAFKA_PROPERTIES: 'sasl.mechansims=PLAIN', TICKCAST_MODEL_BOOTSTRAP_EPOCHS: '0', TICKCAST_HTTP_PORT: '0', TICKCAST_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 78, `exit code; stderr: ${r.stderr.slice(-500)}`);
  assert.match(r.stderr, /tickcast: invalid configuration:[\s\S]*No such configuration property: "sasl\.mechansims"/);
});
