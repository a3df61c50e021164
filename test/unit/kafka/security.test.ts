/** Every Kafka connection setting → librdkafka property mapping, and the checks that refuse bad combinations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.ts';
import { connectionProperties, securityProperties } from '../../../src/adapters/kafka/security.ts';
import { clientProperties } from '../../../src/adapters/kafka/client.ts';

const kafka = (env: Record<string, string>) => loadConfig({ env }).kafka;
const props = (env: Record<string, string>) => connectionProperties(kafka(env));
const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ env });
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

test('default and legacy shorthands: plaintext; ssl=true → ssl; sasl → sasl_plaintext / sasl_ssl', () => {
  assert.deepEqual(props({}), { 'security.protocol': 'plaintext' });
  assert.equal(props({ TICKCAST_KAFKA_SSL: 'true' })['security.protocol'], 'ssl');
  const sasl = { TICKCAST_KAFKA_SASL_MECHANISM: 'plain', TICKCAST_KAFKA_SASL_USERNAME: 'u', TICKCAST_KAFKA_SASL_PASSWORD: 'p' };
  assert.equal(props(sasl)['security.protocol'], 'sasl_plaintext');
  assert.equal(props({ ...sasl, TICKCAST_KAFKA_SSL: 'true' })['security.protocol'], 'sasl_ssl');
});

test('security.protocol explicit, case-insensitive: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL', () => {
  assert.equal(props({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })['security.protocol'], 'plaintext');
  assert.equal(props({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'SSL' })['security.protocol'], 'ssl');
  const sasl = { TICKCAST_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', TICKCAST_KAFKA_SASL_USERNAME: 'u', TICKCAST_KAFKA_SASL_PASSWORD: 'p' };
  assert.equal(props({ ...sasl, TICKCAST_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })['security.protocol'], 'sasl_plaintext');
  assert.equal(props({ ...sasl, TICKCAST_KAFKA_SECURITY_PROTOCOL: 'sasl_ssl' })['security.protocol'], 'sasl_ssl');
  assert.match(problems({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'TLS' }), /securityProtocol/);
});

test('TLS: CA file, mutual TLS with cert, key and key password; hostname check on by default', () => {
  const p = props({
    TICKCAST_KAFKA_SECURITY_PROTOCOL: 'ssl',
    TICKCAST_KAFKA_TLS_CA_LOCATION: '/etc/kafka/ca.pem',
    TICKCAST_KAFKA_TLS_CERT_LOCATION: '/etc/kafka/client.pem',
    TICKCAST_KAFKA_TLS_KEY_LOCATION: '/etc/kafka/client.key',
    TICKCAST_KAFKA_TLS_KEY_PASSWORD: 'kp',
  });
  assert.deepEqual(p, {
    'security.protocol': 'ssl',
    'ssl.endpoint.identification.algorithm': 'https',
    'ssl.ca.location': '/etc/kafka/ca.pem',
    'ssl.certificate.location': '/etc/kafka/client.pem',
    'ssl.key.location': '/etc/kafka/client.key',
    'ssl.key.password': 'kp',
  });
  assert.equal(props({ TICKCAST_KAFKA_SSL: 'true', TICKCAST_KAFKA_TLS_VERIFY_HOSTNAME: 'false' })['ssl.endpoint.identification.algorithm'], 'none');
});

test('_FILE secrets: PEM key, certificate, CA and key password read from files (Kubernetes secrets)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-tls-'));
  const f = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const p = props({
    TICKCAST_KAFKA_SECURITY_PROTOCOL: 'ssl',
    TICKCAST_KAFKA_TLS_CA_PEM_FILE: f('ca', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'),
    TICKCAST_KAFKA_TLS_CERT_PEM_FILE: f('cert', '-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n'),
    TICKCAST_KAFKA_TLS_KEY_PEM_FILE: f('key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nK\n-----END ENCRYPTED PRIVATE KEY-----\n'),
    TICKCAST_KAFKA_TLS_KEY_PASSWORD_FILE: f('pw', 'secret-pw\n'),
  });
  assert.match(String(p['ssl.ca.pem']), /BEGIN CERTIFICATE-----\nCA/);
  assert.match(String(p['ssl.certificate.pem']), /BEGIN CERTIFICATE-----\nC\n/);
  assert.match(String(p['ssl.key.pem']), /ENCRYPTED PRIVATE KEY/);
  assert.equal(p['ssl.key.password'], 'secret-pw');
});

test('SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512', () => {
  for (const m of ['plain', 'scram-sha-256', 'scram-sha-512']) {
    const p = props({ TICKCAST_KAFKA_SASL_MECHANISM: m, TICKCAST_KAFKA_SASL_USERNAME: 'svc', TICKCAST_KAFKA_SASL_PASSWORD: 'pw', TICKCAST_KAFKA_SSL: 'true' });
    assert.deepEqual(
      { mech: p['sasl.mechanisms'], user: p['sasl.username'], pass: p['sasl.password'], proto: p['security.protocol'] },
      { mech: m.toUpperCase(), user: 'svc', pass: 'pw', proto: 'sasl_ssl' },
    );
  }
  assert.match(problems({ TICKCAST_KAFKA_SASL_MECHANISM: 'scram-sha-512', TICKCAST_KAFKA_SASL_USERNAME: 'svc' }), /needs sasl.username and sasl.password/);
});

test('OAUTHBEARER with OIDC client credentials', () => {
  const p = props({
    TICKCAST_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    TICKCAST_KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
    TICKCAST_KAFKA_OIDC_TOKEN_ENDPOINT_URL: 'https://idp.example/oauth2/token',
    TICKCAST_KAFKA_OIDC_CLIENT_ID: 'tickcast',
    TICKCAST_KAFKA_OIDC_CLIENT_SECRET: 's3cret',
    TICKCAST_KAFKA_OIDC_SCOPE: 'kafka',
    TICKCAST_KAFKA_OIDC_EXTENSIONS: 'logicalCluster=lkc-1,identityPoolId=pool-2',
  });
  assert.deepEqual(p, {
    'security.protocol': 'sasl_ssl',
    'ssl.endpoint.identification.algorithm': 'https',
    'sasl.mechanisms': 'OAUTHBEARER',
    'sasl.oauthbearer.method': 'oidc',
    'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/oauth2/token',
    'sasl.oauthbearer.client.id': 'tickcast',
    'sasl.oauthbearer.client.secret': 's3cret',
    'sasl.oauthbearer.scope': 'kafka',
    'sasl.oauthbearer.extensions': 'logicalCluster=lkc-1,identityPoolId=pool-2',
  });
  assert.match(problems({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', TICKCAST_KAFKA_SASL_MECHANISM: 'OAUTHBEARER' }), /OIDC client credentials/);
});

test('inconsistent combinations are refused with the key named', () => {
  assert.match(problems({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'sasl_ssl' }), /kafka\.sasl.*required/);
  assert.match(problems({ TICKCAST_KAFKA_SECURITY_PROTOCOL: 'ssl', TICKCAST_KAFKA_SASL_MECHANISM: 'plain', TICKCAST_KAFKA_SASL_USERNAME: 'u', TICKCAST_KAFKA_SASL_PASSWORD: 'p' }), /use sasl_plaintext or sasl_ssl/);
  assert.match(problems({ TICKCAST_KAFKA_TLS_CA_LOCATION: '/ca.pem' }), /TLS settings are given but securityProtocol is plaintext/);
  assert.match(problems({ TICKCAST_KAFKA_SSL: 'true', TICKCAST_KAFKA_TLS_CERT_LOCATION: '/c.pem' }), /both a client certificate and its key/);
  assert.match(problems({ TICKCAST_KAFKA_SSL: 'true', TICKCAST_KAFKA_TLS_CA_LOCATION: '/a', TICKCAST_KAFKA_TLS_CA_PEM: 'x' }), /not both/);
});

test('kafka.properties passes librdkafka properties through and overrides derived values; owned ones are refused', () => {
  const p = props({ TICKCAST_KAFKA_PROPERTIES: 'fetch.min.bytes=1024, client.rack=eu-1a,ssl.endpoint.identification.algorithm=none', TICKCAST_KAFKA_SSL: 'true' });
  assert.equal(p['fetch.min.bytes'], '1024');
  assert.equal(p['client.rack'], 'eu-1a');
  assert.equal(p['ssl.endpoint.identification.algorithm'], 'none');
  const yaml = connectionProperties({ ...kafka({}), properties: { 'socket.keepalive.enable': true, 'message.max.bytes': 2_000_000 } });
  assert.equal(yaml['socket.keepalive.enable'], true);
  for (const owned of ['enable.auto.commit', 'isolation.level', 'transactional.id', 'enable.auto.offset.store', 'group.id']) {
    assert.match(problems({ TICKCAST_KAFKA_PROPERTIES: `${owned}=x` }), new RegExp(`kafka\\.properties\\.${owned.replace(/\./g, '\\.')}.*cannot be set here`));
  }
  assert.match(problems({ TICKCAST_KAFKA_PROPERTIES: 'novalue' }), /key=value/);
});

test('group.protocol=consumer (KIP-848): the classic protocol properties the client refuses there are configuration problems, not a start failure', () => {
  for (const key of ['session.timeout.ms', 'heartbeat.interval.ms', 'partition.assignment.strategy', 'group.protocol.type']) {
    const value = key === 'partition.assignment.strategy' ? 'range' : key === 'group.protocol.type' ? 'consumer' : '10000';
    assert.match(problems({ TICKCAST_KAFKA_PROPERTIES: `group.protocol=consumer,${key}=${value}` }), new RegExp(`kafka\\.properties\\.${key.replace(/\./g, '\\.')}.*not supported with group\\.protocol=consumer`));
    assert.equal(problems({ TICKCAST_KAFKA_PROPERTIES: `${key}=${value}` }), '', 'classic protocol: accepted');
  }
  assert.equal(problems({ TICKCAST_KAFKA_PROPERTIES: 'group.protocol=consumer,group.remote.assignor=uniform' }), '');
});

test('KAFKA_BOOTSTRAP_SERVERS is accepted beside KAFKA_BROKERS; TICKCAST_KAFKA_BROKERS wins, then KAFKA_BROKERS', () => {
  assert.deepEqual(kafka({ KAFKA_BOOTSTRAP_SERVERS: 'a:9092,b:9092' }).brokers, ['a:9092', 'b:9092']);
  assert.deepEqual(kafka({ KAFKA_BOOTSTRAP_SERVERS: 'a:9092', KAFKA_BROKERS: 'k:9092' }).brokers, ['k:9092']);
  assert.deepEqual(kafka({ KAFKA_BOOTSTRAP_SERVERS: 'a:9092', TICKCAST_KAFKA_BROKERS: 't:9092' }).brokers, ['t:9092']);
});

test('securityProperties never includes TLS or SASL keys on plaintext', () => {
  assert.deepEqual(securityProperties({ ...kafka({}), tlsCaLocation: '' }), { 'security.protocol': 'plaintext' });
});

test('kafka.compression accepts every codec', () => {
  for (const c of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) assert.equal(kafka({ TICKCAST_KAFKA_COMPRESSION: c }).compression, c);
  assert.match(problems({ TICKCAST_KAFKA_COMPRESSION: 'brotli' }), /compression/);
});

test('kafka.metadataRefreshMs: 30 s by default (librdkafka: 5 min) → topic.metadata.refresh.interval.ms, bounded; kafka.properties wins', () => {
  assert.equal(kafka({}).metadataRefreshMs, 30_000);
  assert.equal(clientProperties(kafka({}))['topic.metadata.refresh.interval.ms'], 30_000);
  assert.equal(clientProperties(kafka({ TICKCAST_KAFKA_METADATA_REFRESH_MS: '5000' }))['topic.metadata.refresh.interval.ms'], 5_000);
  assert.equal(clientProperties(kafka({ TICKCAST_KAFKA_PROPERTIES: 'topic.metadata.refresh.interval.ms=60000' }))['topic.metadata.refresh.interval.ms'], '60000');
  assert.equal(clientProperties(kafka({}))['security.protocol'], 'plaintext', 'security properties still there');
  assert.match(problems({ TICKCAST_KAFKA_METADATA_REFRESH_MS: '999' }), /kafka\.metadataRefreshMs .*at least 1000/);
  assert.match(problems({ TICKCAST_KAFKA_METADATA_REFRESH_MS: '3600001' }), /kafka\.metadataRefreshMs .*at most 3600000/);
});
