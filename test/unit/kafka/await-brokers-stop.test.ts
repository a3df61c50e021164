/**
 * A stop while the start waits for the Kafka brokers ends the start with a coded error
 * (TC_SHUTTING_DOWN, cause: the last attempt's failure). Until 7 Dec 2026 it was a plain Error
 * without a code, or the client's own error when the stop came during an attempt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { awaitBrokers } from '../../../src/adapters/kafka/cluster-at-start.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

/** An admin whose listTopics fails; `onAttempt` runs before each failure. */
function unreachable(onAttempt: () => void) {
  return {
    listTopics: async () => {
      onAttempt();
      throw new Error('broker transport failure');
    },
  } as unknown as KafkaJS.Admin;
}

function expectStopped(err: unknown): true {
  assert.ok(isTickcastError(err), String(err));
  assert.equal(err.code, 'TC_SHUTTING_DOWN');
  assert.match(err.message, /stopped while waiting for the Kafka brokers \(b:9092; 1 attempt\(s\), none answered: broker transport failure\)/);
  assert.match(String((err.cause as Error).message), /broker transport failure/);
  return true;
}

test('a stop during the backoff between attempts ends the wait with TC_SHUTTING_DOWN', async () => {
  const stop = new AbortController();
  // The warning after the first failed attempt is logged just before the backoff sleep: stop there.
  const log = { info: () => undefined, warn: () => stop.abort(), error: () => undefined } as unknown as Logger;
  await assert.rejects(awaitBrokers(unreachable(() => undefined), log, { brokers: 'b:9092', signal: stop.signal, maxBackoffMs: 60_000 }), expectStopped);
});

test('a stop during an attempt ends the wait with TC_SHUTTING_DOWN, not the client error', async () => {
  const stop = new AbortController();
  const log = { info: () => undefined, warn: () => assert.fail('no retry after the stop'), error: () => undefined } as unknown as Logger;
  await assert.rejects(awaitBrokers(unreachable(() => stop.abort()), log, { brokers: 'b:9092', signal: stop.signal }), expectStopped);
});
