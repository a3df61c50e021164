/**
 * Chaos 2: the broker goes away for 10 s (SIGUSR1: every connection dropped, new ones refused;
 * SIGUSR2: back on the same ports) while ticks keep being offered. The same service process must
 * recover by itself — no restart — and forecast every tick that was acknowledged to the producer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosEnv, forecastLedger, machineLine, pipelineState, sleep, waitProgress } from './helpers/env.ts';
import { tail } from './helpers/service.ts';

const W = 16;
const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 10_000);

test(`broker outage of ${OUTAGE_MS / 1000} s while ticks flow: the service recovers without a restart and loses nothing`, { timeout: 600_000 }, async () => {
  const env = await chaosEnv({ partitions: 3 });
  const c = env.collector!;
  const started = Date.now();
  let producing = true;
  let producer: Promise<void> = Promise.resolve();
  try {
    const svc = await env.service();
    const S = 20;
    const t0 = Date.UTC(2025, 0, 1);
    let step = 0; // ticks per series acknowledged by the broker
    let sendErrors = 0;
    const batchFor = (t: number) =>
      Array.from({ length: S }, (_, s) => ({ key: `o${s}`, value: JSON.stringify({ series: `o${s}`, ts: t0 + t * 1000, value: 50 + 5 * Math.sin(t / 5 + s) + s }) }));
    // One batch (one tick per series) every 100 ms; a batch counts once send() resolved. A failed
    // send is retried with the same records (same timestamps: a duplicate is dropped by the service).
    producer = (async () => {
      while (producing) {
        try {
          await env.producer.send({ topic: env.topics.ticks, acks: -1, messages: batchFor(step) });
          step += 1;
        } catch {
          sendErrors += 1;
        }
        await sleep(100);
      }
    })();

    await waitProgress(() => c.of(env.topics.forecasts).length, S * 10, 'forecasts flowing before the outage', { diagnose: () => pipelineState(svc) });
    const beforeDown = forecastLedger(c.of(env.topics.forecasts)).distinct;
    env.broker.down();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    const duringOutage = forecastLedger(c.of(env.topics.forecasts)).distinct;
    env.broker.up();
    const upAt = Date.now();
    assert.equal(svc.alive(), true, 'the service survived the outage');
    // Recovery: the first forecast for a tick produced after the broker came back.
    const stepAtUp = step;
    await waitProgress(
      () => c.of(env.topics.forecasts).filter((f) => (JSON.parse(String(f.value)) as { ts: number }).ts >= t0 + (stepAtUp + 1) * 1000).length,
      1,
      'a forecast for a tick produced after the outage',
      { stallMs: 120_000, diagnose: async () => `${await pipelineState(svc)}\n${tail(svc.logs)}` },
    );
    const recoveredMs = Date.now() - upAt;
    await sleep(5_000); // keep producing for a while after the recovery
    producing = false;
    await producer;
    const N = step;
    const expected = S * (N - W + 1);
    await waitProgress(() => forecastLedger(c.of(env.topics.forecasts)).distinct, expected, `${expected} distinct forecasts`, {
      diagnose: async () => `${await pipelineState(svc)}\n${tail(svc.logs)}`,
    });
    await c.settle(2000, 20_000);
    const led = forecastLedger(c.of(env.topics.forecasts));
    for (const [series, ts] of led.by) assert.equal(new Set(ts).size, N - W + 1, `${series}: every eligible tick forecast`);
    assert.equal(led.by.size, S);
    const ready = await svc.fetch('/readyz');
    assert.equal(ready.status, 200, 'ready again after the outage');
    const crashes = svc.logs.filter((l) => l.msg === 'consumer crashed').length;
    const errors = svc.logs.filter((l) => (l.level as number) >= 50).length;
    const pidSame = svc.alive();
    assert.equal(pidSame, true, 'same process: no restart');
    assert.equal(await svc.stop(), 0);
    console.log(
      `# outage: ${OUTAGE_MS / 1000} s down; ${N} ticks × ${S} series acknowledged (${sendErrors} producer sends failed and were retried); ` +
        `forecasts: ${beforeDown} before, ${duringOutage - beforeDown} more during the outage; first post-outage forecast ${(recoveredMs / 1000).toFixed(1)} s after up; ` +
        `${led.total} forecasts = ${led.distinct} distinct + ${led.duplicates} duplicates; service logged ${crashes} consumer crash(es) (kafkajs restarts itself), ${errors} error lines; ` +
        `down→up ${(upAt - downAt) / 1000} s; test ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`,
    );
  } finally {
    producing = false; // also when an assertion failed mid-way: the loop must not outlive the test
    await producer;
    await env.close();
  }
});
