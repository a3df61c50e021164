/**
 * /readyz's semantics (serviceHealth): ready once running and the source has joined its consumer
 * group — owning no partition (more instances than partitions, or mid-rebalance) keeps it ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceHealth } from '../../../src/app-parts.ts';
import type { TickSource } from '../../../src/pipeline/ports.ts';
import type { ServiceState } from '../../../src/domain/types.ts';

/** A source in a given join state; `missing`: the topic it waits for (as KafkaSource.missingTopic). */
function source(joined: boolean, missing: string | null = null): Parameters<typeof serviceHealth>[1] {
  return { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => joined, missingTopic: () => missing };
}

test('running and joined: ready, with no partition needed', () => {
  assert.deepEqual(serviceHealth('running', source(true)), { live: true, ready: true, reasons: [], draining: false });
});

test('before the first join: unready, saying it waits to join the consumer group', () => {
  const h = serviceHealth('running', source(false));
  assert.equal(h.ready, false);
  assert.equal(h.live, true);
  assert.deepEqual(h.reasons, ['waiting to join the consumer group']);
});

test('a missing input topic is named in the reason', () => {
  const h = serviceHealth('running', source(false, 'prod.ticks'));
  assert.equal(h.ready, false);
  assert.equal(h.reasons.length, 1);
  assert.match(h.reasons[0], /^waiting to join the consumer group: input topic "prod\.ticks" does not exist yet/);
});

test('a source without missingTopic (tests, embedded) reads as before', () => {
  const bare: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => false };
  assert.deepEqual(serviceHealth('running', bare).reasons, ['waiting to join the consumer group']);
});

test('not running: unready with the state; draining and stopped say draining; failed is not live', () => {
  const cases: Array<[ServiceState, boolean, boolean]> = [
    ['starting', true, false],
    ['draining', true, true],
    ['stopped', true, true],
    ['failed', false, false],
  ];
  for (const [state, live, draining] of cases) {
    const h = serviceHealth(state, source(true));
    assert.deepEqual(h, { live, ready: false, reasons: [`service is ${state}`], draining }, state);
  }
  assert.deepEqual(serviceHealth('starting', source(false)).reasons, ['service is starting', 'waiting to join the consumer group']);
});

test('missing output topics keep a joined instance unready, one reason each, naming the code', () => {
  const h = serviceHealth('running', source(true), () => ['prod.forecasts', 'prod.ticks.dlq']);
  assert.equal(h.ready, false);
  assert.equal(h.live, true);
  assert.deepEqual(h.reasons, [
    'output topic "prod.forecasts" does not exist (TC_KAFKA_TOPIC_MISSING): create it',
    'output topic "prod.ticks.dlq" does not exist (TC_KAFKA_TOPIC_MISSING): create it',
  ]);
  assert.deepEqual(serviceHealth('running', source(true), () => []), { live: true, ready: true, reasons: [], draining: false });
});
