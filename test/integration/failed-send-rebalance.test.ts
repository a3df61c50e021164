/**
 * Outputs whose send failed, then a rebalance that gives the partition back — through the real
 * broker, source, commits and app; only the output sink is a stand-in that fails on cue. The chunk's
 * ticks are in the windows already; the reassigned partition is read again from before the committed
 * offset (the plain replay), so the redelivery starts earlier than the failed chunk. Its kept
 * outputs must still be written (src/pipeline/unsent-outputs.ts). Before the fix: 0 of 40; with no
 * rebalance in between: 40 of 40.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import { failedSendEnv, forecastThenFail, SwitchableSink, until } from '../helpers/switchable-sink.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';

test('ticks whose sends failed are forecast after a rebalance that gives their partition back', { timeout: 240_000 }, async () => {
  const env = await failedSendEnv('rebfail');
  const { topics, producer, apps, stream, S, A, config } = env;
  try {
    const first = new SwitchableSink();
    const app1 = await startTestApp(config('a'), { sink: first });
    apps.push(app1);
    const late = await forecastThenFail(producer, topics.ticks, first, stream, S, A);
    const other = new SwitchableSink();
    other.failing = true;
    // A second instance joins (a rebalance: eager, every partition revoked), its sends fail too, then it leaves (another).
    const app2 = await startTestApp(config('b'), { sink: other });
    apps.push(app2);
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    await new Promise((r) => setTimeout(r, 8000)); // the mock rebalances within ≈ sessionTimeout
    first.failing = false;
    await app2.stop();
    await until(() => owned(app1) === 1, 30_000, 'partition back');
    const got = () => [...late].filter((k) => first.forecasts.has(k) || other.forecasts.has(k)).length;
    await until(() => got() === late.size, 30_000, 'forecasts').catch(() => undefined);
    assert.ok(app1.snapshots!.replayed.window > 0, 'the partition was assigned again (plain replay before the committed offset)');
    assert.equal(got(), late.size, 'every tick whose outputs failed to send is forecast once the partition is back');
  } finally {
    await env.close();
  }
});
