import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.ts';
import { configProblems } from '../../helpers/config-problems.ts';

const problems = configProblems;

function pemFiles(): { dir: string; ca: string; crt: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tc-files-'));
  const [ca, crt, key] = ['ca.pem', 'tickcast.crt', 'tickcast.key'].map((f) => join(dir, f));
  for (const f of [ca, crt, key]) writeFileSync(f, '-----BEGIN CERTIFICATE-----\n');
  return { dir, ca, crt, key };
}

const TLS = { KAFKA_BROKERS: 'kafka-1:9093', TICKCAST_KAFKA_SECURITY_PROTOCOL: 'SSL' };

test('missing Kafka TLS files are refused at load, naming the key, its variable and the path', () => {
  const missing = '/nonexistent/tickcast';
  assert.deepEqual(
    problems({ ...TLS, TICKCAST_KAFKA_TLS_CA_LOCATION: `${missing}/ca.pem`, TICKCAST_KAFKA_TLS_CERT_LOCATION: `${missing}/t.crt`, TICKCAST_KAFKA_TLS_KEY_LOCATION: `${missing}/t.key` }),
    [
      'kafka.tlsCaLocation (TICKCAST_KAFKA_TLS_CA_LOCATION): cannot read "/nonexistent/tickcast/ca.pem" (no such file)',
      'kafka.tlsCertLocation (TICKCAST_KAFKA_TLS_CERT_LOCATION): cannot read "/nonexistent/tickcast/t.crt" (no such file)',
      'kafka.tlsKeyLocation (TICKCAST_KAFKA_TLS_KEY_LOCATION): cannot read "/nonexistent/tickcast/t.key" (no such file)',
    ],
  );
  const { dir, ca, crt } = pemFiles();
  // A directory where a key file is expected; reported with every other problem at once.
  assert.deepEqual(problems({ ...TLS, TICKCAST_KAFKA_TLS_CA_LOCATION: ca, TICKCAST_KAFKA_TLS_CERT_LOCATION: crt, TICKCAST_KAFKA_TLS_KEY_LOCATION: dir, TICKCAST_HTTP_PORT: '-1' }), [
    'http.port (TICKCAST_HTTP_PORT): Number must be greater than or equal to 0',
    `kafka.tlsKeyLocation (TICKCAST_KAFKA_TLS_KEY_LOCATION): "${dir}" is not a file`,
  ]);
});

test('readable TLS files, a CA directory and "probe" are accepted; embedded mode does not open them', () => {
  const { dir, ca, crt, key } = pemFiles();
  const c = loadConfig({ env: { ...TLS, TICKCAST_KAFKA_TLS_CA_LOCATION: ca, TICKCAST_KAFKA_TLS_CERT_LOCATION: crt, TICKCAST_KAFKA_TLS_KEY_LOCATION: key } });
  assert.equal(c.kafka.tlsKeyLocation, key);
  // librdkafka takes a directory of hashed CA certificates, or "probe" for the system's.
  assert.equal(loadConfig({ env: { ...TLS, TICKCAST_KAFKA_TLS_CA_LOCATION: dir } }).kafka.tlsCaLocation, dir);
  assert.equal(loadConfig({ env: { ...TLS, TICKCAST_KAFKA_TLS_CA_LOCATION: 'probe' } }).kafka.tlsCaLocation, 'probe');
  // No brokers: the Kafka client is never created, so its files are not required.
  assert.equal(loadConfig({ env: { TICKCAST_KAFKA_SSL: 'true', TICKCAST_KAFKA_TLS_CA_LOCATION: '/nonexistent/ca.pem' } }).kafka.brokers.length, 0);
});

test('file paths passed through kafka.properties are checked too', () => {
  assert.deepEqual(problems({ ...TLS, TICKCAST_KAFKA_PROPERTIES: 'ssl.key.location=/nonexistent/k.pem,ssl.ca.location=probe,linger.ms=5' }), [
    'kafka.properties.ssl.key.location (TICKCAST_KAFKA_PROPERTIES): cannot read "/nonexistent/k.pem" (no such file)',
  ]);
});

test('directories the service creates may be absent, but not be something else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-files-'));
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'feedback.jsonl'));
  const absent = join(dir, 'not-yet', 'models');
  const c = loadConfig({ env: { TICKCAST_MODEL_DIR: absent, TICKCAST_SNAPSHOTS_DIR: join(dir, 'snap'), TICKCAST_FEEDBACK_FILE: join(dir, 'fb', 'log.jsonl') } });
  assert.equal(c.model.dir, absent);
  assert.deepEqual(problems({ KAFKA_BROKERS: 'kafka-1:9092', TICKCAST_MODEL_DIR: file, TICKCAST_SNAPSHOTS_DIR: join(file, 'snap'), TICKCAST_FEEDBACK_FILE: join(dir, 'feedback.jsonl') }), [
    `model.dir (TICKCAST_MODEL_DIR): "${file}" is not a directory`,
    `snapshots.dir (TICKCAST_SNAPSHOTS_DIR): cannot read "${join(file, 'snap')}" (a part of the path is not a directory)`,
    `feedback.file (TICKCAST_FEEDBACK_FILE): "${join(dir, 'feedback.jsonl')}" is not a file`,
  ]);
  // Off, or not built (snapshots in embedded mode, feedback without anomaly detection): not checked.
  assert.ok(loadConfig({ env: { KAFKA_BROKERS: 'kafka-1:9092', TICKCAST_SNAPSHOTS_ENABLED: 'false', TICKCAST_SNAPSHOTS_DIR: file, TICKCAST_FEEDBACK_ENABLED: 'false', TICKCAST_FEEDBACK_FILE: dir } }));
  assert.ok(loadConfig({ env: { TICKCAST_SNAPSHOTS_DIR: file, TICKCAST_ANOMALY_ENABLED: 'false', TICKCAST_FEEDBACK_FILE: dir } }));
});

test('a secret file that cannot be read names the variable, the key it sets and the path', () => {
  assert.deepEqual(problems({ TICKCAST_HTTP_API_KEYS_FILE: '/nonexistent/keys' }), ['TICKCAST_HTTP_API_KEYS_FILE (http.apiKeys): cannot read "/nonexistent/keys" (no such file)']);
});
