/**
 * Kafka connection settings → librdkafka properties (security.protocol, TLS, SASL, OIDC), plus
 * the `kafka.properties` passthrough. Pure; validated beforehand by src/config/kafka-security.ts.
 */
import { effectiveProtocol, type KafkaSecurityInput } from '../../config/kafka-security.ts';

export type RdKafkaProperties = Record<string, string | number | boolean>;

export interface KafkaConnectionSettings extends KafkaSecurityInput {
  tlsVerifyHostname: boolean;
  oidcScope: string;
  oidcExtensions: string;
}

export function securityProperties(k: KafkaConnectionSettings): RdKafkaProperties {
  const protocol = effectiveProtocol(k);
  const p: RdKafkaProperties = { 'security.protocol': protocol };
  if (protocol === 'ssl' || protocol === 'sasl_ssl') Object.assign(p, tlsProperties(k));
  if (k.sasl && (protocol === 'sasl_plaintext' || protocol === 'sasl_ssl')) Object.assign(p, saslProperties(k));
  return p;
}

function tlsProperties(k: KafkaConnectionSettings): RdKafkaProperties {
  const p: RdKafkaProperties = { 'ssl.endpoint.identification.algorithm': k.tlsVerifyHostname ? 'https' : 'none' };
  if (k.tlsCaLocation) p['ssl.ca.location'] = k.tlsCaLocation;
  if (k.tlsCaPem) p['ssl.ca.pem'] = k.tlsCaPem;
  if (k.tlsCertLocation) p['ssl.certificate.location'] = k.tlsCertLocation;
  if (k.tlsCertPem) p['ssl.certificate.pem'] = k.tlsCertPem;
  if (k.tlsKeyLocation) p['ssl.key.location'] = k.tlsKeyLocation;
  if (k.tlsKeyPem) p['ssl.key.pem'] = k.tlsKeyPem;
  if (k.tlsKeyPassword) p['ssl.key.password'] = k.tlsKeyPassword;
  return p;
}

function saslProperties(k: KafkaConnectionSettings): RdKafkaProperties {
  const s = k.sasl!;
  if (s.mechanism !== 'oauthbearer') {
    return { 'sasl.mechanisms': s.mechanism.toUpperCase(), 'sasl.username': s.username ?? '', 'sasl.password': s.password ?? '' };
  }
  const p: RdKafkaProperties = {
    'sasl.mechanisms': 'OAUTHBEARER',
    'sasl.oauthbearer.method': 'oidc',
    'sasl.oauthbearer.token.endpoint.url': k.oidcTokenEndpointUrl,
    'sasl.oauthbearer.client.id': k.oidcClientId,
    'sasl.oauthbearer.client.secret': k.oidcClientSecret,
  };
  if (k.oidcScope) p['sasl.oauthbearer.scope'] = k.oidcScope;
  if (k.oidcExtensions) p['sasl.oauthbearer.extensions'] = k.oidcExtensions;
  return p;
}

/** Every property for the client: security first, then the user's passthrough map on top. */
export function connectionProperties(k: KafkaConnectionSettings): RdKafkaProperties {
  return { ...securityProperties(k), ...k.properties };
}
