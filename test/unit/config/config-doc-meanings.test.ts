/**
 * Every configuration key has a meaning in docs/configuration.md (the generated table takes it from
 * the key's doc comment in src/config/schema/). Keys that had none when this test was written are
 * listed below; the list may only shrink: a new key without a doc comment fails, and so does a
 * listed key that has gained one (take it off the list).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url)), 'utf8');

/** Undescribed on 5 Dec 2026. Describe one (a doc comment on its schema entry, then npx tsx scripts/gen-config-doc.ts) and remove it here. */
const UNDESCRIBED = new Set([
  'logLevel', 'kafka.oidcClientId', 'kafka.oidcScope', 'kafka.topicPartitions', 'windows.maxSeries',
  'batching.maxBatchSize', 'batching.maxWaitMs', 'model.engine', 'model.backend', 'model.dModel',
  'model.keepVersions', 'anomaly.enabled', 'anomaly.scoreGaugeTopK', 'feedback.maxPerSeries',
  'feedback.maxEntries', 'finetune.enabled', 'finetune.intervalMs', 'finetune.learningRate',
  'finetune.replayCapacity', 'finetune.minImprovement', 'finetune.minSamples',
  'finetune.rollbackRegression', 'http.enabled', 'http.port', 'http.apiKeys',
  'http.requireAuthForReads', 'http.bodyLimitBytes', 'http.rateLimitPerSecond',
  'http.rateLimitBurst', 'http.dashboard', 'http.mcp', 'telemetry.defaultMetrics',
  'kafka.transactionalId', 'anomaly.criticalThreshold', 'anomaly.debounceM', 'kafka.sasl.mechanism',
  'kafka.sasl.username', 'kafka.sasl.password',
]);

test('every key in the configuration table has a meaning, except the frozen list of older ones', () => {
  const rows = doc.split('\n').filter((l) => /^\| `[a-zA-Z][\w.]*` \| `TICKCAST_/.test(l));
  assert.ok(rows.length > 100, `expected the generated table; got ${rows.length} rows`);
  const empty = rows.filter((l) => /\|\s*\|\s*$/.test(l)).map((l) => /^\| `([^`]+)`/.exec(l)![1]);
  assert.deepEqual(empty.filter((k) => !UNDESCRIBED.has(k)), [], 'keys without a doc comment in src/config/schema/ (docs/configuration.md has no meaning for them)');
  const listed = new Set(rows.map((l) => /^\| `([^`]+)`/.exec(l)![1]));
  assert.deepEqual([...UNDESCRIBED].filter((k) => !empty.includes(k) && listed.has(k)), [], 'described now: take them off UNDESCRIBED');
  assert.deepEqual([...UNDESCRIBED].filter((k) => !listed.has(k)), [], 'no longer configuration keys: take them off UNDESCRIBED');
});
