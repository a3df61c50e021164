/**
 * Secrets never reach the logs, at whatever depth a module logs the object holding them: the
 * whole config (`{ config }`), one section (`{ kafka }`), or the secret itself; librdkafka's own
 * property names passed through `kafka.properties` too. pino's redaction has no recursive
 * wildcard; before, only one level down was covered (`config.kafka.sasl.password` was printed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/telemetry/logger.ts';

const SECRETS = ['s3cret-sasl', 'k3y-pass', '-----BEGIN PRIVATE KEY-----abc', 'oidc-s3cret', 'api-key-0123456789abcdef', 'prop-sasl-pass', 'prop-key-pass', 'prop-oidc-secret', 'bearer-token-xyz'];

function capture() {
  const lines: string[] = [];
  const dest = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  return { log: createLogger({ level: 'info', name: 't', destination: dest }), lines };
}

const kafka = () => ({
  brokers: ['k:9092'],
  sasl: { mechanism: 'scram-sha-512', username: 'tickcast', password: 's3cret-sasl' },
  tlsKeyPassword: 'k3y-pass',
  tlsKeyPem: '-----BEGIN PRIVATE KEY-----abc',
  oidcClientSecret: 'oidc-s3cret',
  properties: { 'sasl.password': 'prop-sasl-pass', 'ssl.key.password': 'prop-key-pass', 'sasl.oauthbearer.client.secret': 'prop-oidc-secret', 'fetch.min.bytes': 1 },
});

test('no secret is printed whether the config, a section or the secret itself is logged', async () => {
  const { log, lines } = capture();
  log.info({ config: { kafka: kafka(), http: { apiKeys: ['api-key-0123456789abcdef'], port: 8080 } } }, 'whole config');
  log.info({ kafka: kafka() }, 'one section');
  log.info({ ...kafka(), apiKeys: ['api-key-0123456789abcdef'] }, 'flat');
  log.info({ req: { headers: { authorization: 'Bearer bearer-token-xyz', 'x-api-key': 'api-key-0123456789abcdef' } } }, 'request');
  log.flush();
  await new Promise((r) => setImmediate(r));
  const out = lines.join('');
  assert.equal(lines.length, 4, out);
  for (const s of SECRETS) assert.ok(!out.includes(s), `"${s}" reached the log:\n${out}`);
  // What is not secret stays readable.
  const first = JSON.parse(lines[0]);
  assert.deepEqual(first.config.kafka.brokers, ['k:9092']);
  assert.equal(first.config.kafka.sasl, '[redacted]');
  assert.equal(first.config.kafka.properties['fetch.min.bytes'], 1);
  assert.equal(first.config.kafka.properties['sasl.password'], '[redacted]');
  assert.equal(first.config.http.port, 8080);
});
