/**
 * Cross-field checks of the Kafka connection settings (security protocol, TLS, SASL, passthrough
 * properties), reported with the rest of the configuration problems. The mapping onto librdkafka
 * properties lives in src/adapters/kafka/security.ts.
 */

/** librdkafka properties tickcast must own: its commit protocol, isolation and transactions depend on them. */
export const KAFKA_OWNED_PROPERTIES: Readonly<Record<string, string>> = {
  'enable.auto.commit': 'offsets are committed by tickcast after outputs are acknowledged',
  'auto.commit.interval.ms': 'offsets are committed by tickcast after outputs are acknowledged',
  'enable.auto.offset.store': 'offsets are committed by tickcast after outputs are acknowledged',
  'isolation.level': 'tickcast reads committed records only (read_committed)',
  'transactional.id': 'set kafka.transactionalId with kafka.delivery=exactly-once',
  'enable.idempotence': 'the producer is always idempotent',
  acks: 'outputs are acknowledged by all in-sync replicas (acks=all)',
  'group.id': 'set kafka.groupId',
  'bootstrap.servers': 'set kafka.brokers (KAFKA_BROKERS / KAFKA_BOOTSTRAP_SERVERS)',
  'metadata.broker.list': 'set kafka.brokers (KAFKA_BROKERS / KAFKA_BOOTSTRAP_SERVERS)',
  rebalance_cb: 'tickcast restores windows on assignment',
  offset_commit_cb: 'tickcast commits offsets itself',
};

/**
 * Classic group protocol properties the client refuses under `group.protocol=consumer` (KIP-848),
 * where the broker owns them. librdkafka checks them only when the consumer is created, so they
 * used to stop the start with a bare client error (KafkaJSError, exit 1) instead of TC_CONFIG_INVALID.
 */
export const CLASSIC_PROTOCOL_PROPERTIES: Readonly<Record<string, string>> = {
  'session.timeout.ms': "the broker's group.consumer.session.timeout.ms applies",
  'heartbeat.interval.ms': "the broker's group.consumer.heartbeat.interval.ms applies",
  'partition.assignment.strategy': 'the broker assigns partitions (group.remote.assignor names its assignor)',
  'group.protocol.type': 'it belongs to the classic protocol',
};

/**
 * Whether the group consumer runs the classic group protocol (librdkafka's default) rather than
 * KIP-848's `consumer` protocol (`group.protocol=consumer` in kafka.properties; Kafka ≥ 4.0). Under
 * the latter the broker owns the session timeout, heartbeat interval and assignor: the client
 * refuses `session.timeout.ms`, `heartbeat.interval.ms` and `partition.assignment.strategy`.
 */
export function isClassicProtocol(props: Readonly<Record<string, unknown>> | undefined): boolean {
  return String(props?.['group.protocol'] ?? 'classic').toLowerCase() === 'classic';
}

/** The kafka.* settings only the classic protocol uses, and what applies instead under KIP-848. */
const CLASSIC_PROTOCOL_SETTINGS: Readonly<Record<string, string>> = {
  sessionTimeoutMs: "the broker's group.consumer.session.timeout.ms applies",
  heartbeatIntervalMs: "the broker's group.consumer.heartbeat.interval.ms applies",
};

/**
 * kafka.sessionTimeoutMs / kafka.heartbeatIntervalMs set explicitly (`given`: the kafka object as
 * the file, environment and overrides gave it, before defaults) under group.protocol=consumer:
 * refused like their kafka.properties twins, since they would be silently ignored.
 */
export function unusedClassicSettings(given: Readonly<Record<string, unknown>>, properties: Readonly<Record<string, unknown>>): Array<{ path: string[]; message: string }> {
  if (isClassicProtocol(properties)) return [];
  return Object.entries(CLASSIC_PROTOCOL_SETTINGS)
    .filter(([key]) => given[key] !== undefined)
    .map(([key, why]) => ({ path: ['kafka', key], message: `is not used with group.protocol=consumer (KIP-848): ${why}; remove it` }));
}

/**
 * What drops a member from the group when it cannot leave (brokers unreachable), for the log line
 * that says so: kafka.sessionTimeoutMs under the classic protocol, the broker's setting under KIP-848.
 */
export function memberExpiry(k: { sessionTimeoutMs: number; properties: Readonly<Record<string, unknown>> }): string {
  return isClassicProtocol(k.properties) ? `kafka.sessionTimeoutMs (${k.sessionTimeoutMs} ms)` : "the broker's group.consumer.session.timeout.ms (group.protocol=consumer)";
}

export interface KafkaSecurityInput {
  ssl: boolean;
  securityProtocol: 'auto' | 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
  tlsCaLocation: string;
  tlsCaPem: string;
  tlsCertLocation: string;
  tlsCertPem: string;
  tlsKeyLocation: string;
  tlsKeyPem: string;
  tlsKeyPassword: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer'; username?: string; password?: string };
  oidcTokenEndpointUrl: string;
  oidcClientId: string;
  oidcClientSecret: string;
  properties: Readonly<Record<string, string | number | boolean>>;
}

export type SecurityProtocol = 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';

/** The effective security.protocol: explicit, or derived from `ssl` and `sasl` ("auto"). */
export function effectiveProtocol(k: Pick<KafkaSecurityInput, 'ssl' | 'securityProtocol' | 'sasl'>): SecurityProtocol {
  if (k.securityProtocol !== 'auto') return k.securityProtocol;
  if (k.sasl) return k.ssl ? 'sasl_ssl' : 'sasl_plaintext';
  return k.ssl ? 'ssl' : 'plaintext';
}

export function kafkaSecurityProblems(k: KafkaSecurityInput): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const add = (path: string, message: string) => out.push({ path: [path], message });
  for (const key of Object.keys(k.properties)) {
    const why = KAFKA_OWNED_PROPERTIES[key];
    if (why) out.push({ path: ['properties', key], message: `cannot be set here: ${why}` });
  }
  for (const key of isClassicProtocol(k.properties) ? [] : Object.keys(k.properties)) {
    const why = CLASSIC_PROTOCOL_PROPERTIES[key];
    if (why) out.push({ path: ['properties', key], message: `is not supported with group.protocol=consumer (KIP-848): ${why}; remove it` });
  }
  const protocol = effectiveProtocol(k);
  const tls = protocol === 'ssl' || protocol === 'sasl_ssl';
  const usesSasl = protocol === 'sasl_plaintext' || protocol === 'sasl_ssl';
  if (usesSasl && !k.sasl) add('sasl', `is required with securityProtocol ${protocol} (set kafka.sasl.mechanism)`);
  if (!usesSasl && k.sasl) add('sasl', `is set but securityProtocol is ${protocol}; use sasl_plaintext or sasl_ssl`);
  const tlsSet = [k.tlsCaLocation, k.tlsCaPem, k.tlsCertLocation, k.tlsCertPem, k.tlsKeyLocation, k.tlsKeyPem, k.tlsKeyPassword].some((v) => v !== '');
  if (!tls && tlsSet) add('securityProtocol', `TLS settings are given but securityProtocol is ${protocol}; use ssl or sasl_ssl`);
  if (k.tlsCaLocation && k.tlsCaPem) add('tlsCaPem', 'set tlsCaLocation or tlsCaPem, not both');
  if (k.tlsCertLocation && k.tlsCertPem) add('tlsCertPem', 'set tlsCertLocation or tlsCertPem, not both');
  if (k.tlsKeyLocation && k.tlsKeyPem) add('tlsKeyPem', 'set tlsKeyLocation or tlsKeyPem, not both');
  const cert = Boolean(k.tlsCertLocation || k.tlsCertPem);
  const key = Boolean(k.tlsKeyLocation || k.tlsKeyPem);
  if (cert !== key) add(cert ? 'tlsKeyLocation' : 'tlsCertLocation', 'mutual TLS needs both a client certificate and its key');
  if (k.tlsKeyPassword && !key) add('tlsKeyPassword', 'is set without a client key');
  const s = k.sasl;
  if (s && s.mechanism !== 'oauthbearer' && (!s.username || !s.password)) add('sasl', `mechanism ${s.mechanism} needs sasl.username and sasl.password`);
  if (s?.mechanism === 'oauthbearer' && (!k.oidcTokenEndpointUrl || !k.oidcClientId || !k.oidcClientSecret)) {
    add('oidcTokenEndpointUrl', 'OAUTHBEARER needs oidcTokenEndpointUrl, oidcClientId and oidcClientSecret (OIDC client credentials)');
  }
  return out;
}
