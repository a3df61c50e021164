/**
 * The environment variable of a configuration key: `kafka.brokers` ↔ TICKCAST_KAFKA_BROKERS,
 * `batching.maxWaitMs` ↔ TICKCAST_BATCHING_MAX_WAIT_MS. One rule for the loader and for messages
 * that tell a user which variable to set (so they cannot name one that does not exist). No imports:
 * any layer may name a variable without pulling in the loader.
 */
export function envName(path: string): string {
  return 'TICKCAST_' + path.split('.').map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}
