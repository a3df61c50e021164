/**
 * A produce failure, then a stop, then a restart from the shutdown snapshot — through the real
 * broker, the real source and commits, and the real app; only the output sink is a stand-in that
 * can be made to fail (what a produce error looks like to the pipeline: the send rejects after the
 * chunk's ticks are in the windows). The ticks of the failed chunk were never committed, so they
 * are delivered again after the restart and must be forecast then (docs/reliability.md,
 * "Series-state snapshots", Failure while handling). Before the fix the shutdown snapshot held
 * those ticks at the offset before them: the restart took them for duplicates and wrote nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import { failedSendEnv, forecastThenFail, SwitchableSink, until } from '../helpers/switchable-sink.ts';

test('ticks whose outputs failed to send before a stop are forecast after the restart from the shutdown snapshot', { timeout: 240_000 }, async () => {
  const env = await failedSendEnv('snapfail');
  const { topics, producer, apps, stream, S, A, config } = env;
  try {
    const first = new SwitchableSink();
    const app1 = await startTestApp(config('model'), { sink: first });
    apps.push(app1);
    // The output side fails: the next chunk is applied, its send rejects, it is redelivered (and fails again).
    const late = await forecastThenFail(producer, topics.ticks, first, stream, S, A);
    await app1.stop(); // shutdown snapshot; the failed chunk's offsets stay uncommitted

    const second = new SwitchableSink();
    const app2 = await startTestApp(config('model'), { sink: second });
    apps.push(app2);
    const got = () => [...late].filter((k) => second.forecasts.has(k)).length;
    await until(() => got() === late.size, 60_000, 'forecasts after the restart').catch(() => undefined);
    assert.equal(got(), late.size, 'every tick whose outputs were never sent is forecast after the restart (before the fix: 0 of 40)');
  } finally {
    await env.close();
  }
});
