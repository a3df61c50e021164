/**
 * Chaos 1: `kill -9` the real service process mid-stream and start it again. At-least-once means
 * every valid tick still gets its forecast (duplicates allowed, counted and printed) and every
 * malformed record still reaches the dead-letter topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosEnv, forecastLedger, machineLine, pipelineState, sleep, waitProgress } from './helpers/env.ts';
import { tail } from './helpers/service.ts';
import { produce, tickStream } from '../helpers/kafka.ts';

const W = 16;
/** Series-state snapshots every 250 ms, so a kill -9 finds one to restart from (tail replay). */
const SNAPSHOTS = { env: { TICKCAST_SNAPSHOTS_ENABLED: 'true', TICKCAST_SNAPSHOTS_INTERVAL_MS: '250' } };
const snapshotWritten = (l: Record<string, unknown>) => l.msg === 'series-state snapshot written' && Number(l.series) > 0;
const restored = (l: Record<string, unknown>) => String(l.msg).startsWith('series state restored from snapshot');

const BAD: Array<{ key: string | null; value: Buffer; code: string }> = [
  { key: 's0', value: Buffer.from('{not json'), code: 'TC_RECORD_NOT_JSON' },
  { key: 's1', value: Buffer.from(JSON.stringify({ series: 's1', value: 1 })), code: 'TC_RECORD_BAD_TS' },
  { key: 's2', value: Buffer.from('{"series":"s2","ts":1735689600000,"value":"NaN"}'), code: 'TC_RECORD_BAD_VALUE' },
  { key: 's3', value: Buffer.from('{"series":"s3","ts":1735689600000,"value":1e999}'), code: 'TC_RECORD_BAD_VALUE' },
  { key: null, value: Buffer.from('{"series":"bad series id!","ts":1735689600000,"value":1}'), code: 'TC_RECORD_BAD_SERIES' },
  { key: 's4', value: Buffer.from('[1,2,3]'), code: 'TC_RECORD_INVALID' },
  { key: 's5', value: Buffer.from(JSON.stringify({ series: 's5', ts: 1735689600000, value: 1, pad: 'x'.repeat(70_000) })), code: 'TC_RECORD_TOO_LARGE' },
  { key: 's6', value: Buffer.from([0xff, 0xfe, 0x00, 0x01]), code: 'TC_RECORD_NOT_JSON' },
];

/** Good ticks with a bad record every `every` records (cycling through BAD); returns how many bad. */
function mixed(good: Array<{ key: string; value: string }>, every: number, badFrom: number) {
  const out: Array<{ key: string | null; value: string | Buffer }> = [];
  let bad = 0;
  good.forEach((g, i) => {
    out.push(g);
    if (i % every === every - 1) {
      const b = BAD[(badFrom + bad) % BAD.length];
      out.push({ key: b.key, value: b.value });
      bad += 1;
    }
  });
  return { records: out, bad };
}

test('kill -9 mid-stream and restart: every valid tick forecast, DLQ complete, duplicates counted', { timeout: 600_000 }, async () => {
  const env = await chaosEnv({ partitions: 6 });
  const c = env.collector!;
  const started = Date.now();
  try {
    // A first part large enough that the kill lands mid-stream on a fast machine: a run with 200
    // ticks a series once finished all 5400 of the first part's forecasts before the kill landed.
    const S = 40;
    const N = 400;
    const stream = tickStream(S, N);
    const first = mixed(stream.slice(0, (stream.length * 3) / 4), 800, 0);
    const second = mixed(stream.slice((stream.length * 3) / 4), 800, first.bad);
    const expected = S * (N - W + 1);
    const badTotal = first.bad + second.bad;

    await produce(env.producer, env.topics.ticks, first.records);
    const svc1 = await env.service(SNAPSHOTS);
    // Kill while work remains: after some forecasts, long before the backlog is done.
    await c.waitFor(() => c.of(env.topics.forecasts).length >= expected * 0.08, 240_000, '8% of the forecasts');
    await svc1.waitForLog(snapshotWritten, 30_000, 'a series-state snapshot');
    const atKill = forecastLedger(c.of(env.topics.forecasts)).distinct;
    await svc1.kill9();
    const killedAt = Date.now();
    const exit1 = await svc1.exited;
    assert.equal(exit1.signal, 'SIGKILL');
    const firstExpected = S * ((N * 3) / 4 - W + 1);
    assert.ok(atKill < firstExpected, `the kill happened mid-stream (${atKill} of the first part's ${firstExpected} forecasts out)`);

    // More ticks arrive while the service is down.
    await produce(env.producer, env.topics.ticks, second.records);
    const svc2 = await env.service(SNAPSHOTS);
    const restartMs = Date.now() - killedAt;
    const restore = await svc2.waitForLog(restored, 60_000, 'restore from the snapshot');
    assert.ok((restore.partitions as unknown[]).length > 0, `partitions restored from the snapshot taken before the kill (${JSON.stringify(restore)})`);
    const dlqDistinct = () => new Set(c.of(env.topics.dlq).map((d) => `${d.headers['tickcast-source-partition']}@${d.headers['tickcast-source-offset']}`)).size;
    await waitProgress(() => forecastLedger(c.of(env.topics.forecasts)).distinct + dlqDistinct(), expected + badTotal, `${expected} distinct forecasts and ${badTotal} dead letters`, {
      diagnose: async () => `${await pipelineState(svc2)}
logs:
${tail(svc2.logs)}`,
    });
    await c.settle(2000, 20_000);
    const led = forecastLedger(c.of(env.topics.forecasts));
    for (const [series, ts] of led.by) assert.equal(new Set(ts).size, N - W + 1, `${series}: every eligible tick forecast`);
    assert.equal(led.by.size, S);
    assert.equal(led.distinct, expected);

    const dlq = c.of(env.topics.dlq);
    const dlqKeys = new Set(dlq.map((d) => `${d.headers['tickcast-source-partition']}@${d.headers['tickcast-source-offset']}`));
    assert.equal(dlqKeys.size, badTotal, 'every malformed record dead-lettered (by distinct source offset)');
    for (const d of dlq) {
      const original = BAD.find((b) => Buffer.compare(b.value, d.value!) === 0);
      assert.ok(original, 'DLQ value is the original bytes');
      assert.equal(d.headers['tickcast-error-code'], original.code);
    }
    assert.equal(svc2.alive(), true);
    assert.equal(await svc2.stop(), 0, 'clean SIGTERM exit after the restart');
    console.log(
      `# kill-9: ${expected} eligible ticks, ${atKill} forecast before the kill; restart to ready ${(restartMs / 1000).toFixed(1)} s; ` +
        `${led.total} forecasts = ${led.distinct} distinct + ${led.duplicates} duplicates; DLQ ${dlq.length} records for ${badTotal} malformed (${dlq.length - badTotal} duplicates); ` +
        `test ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`,
    );
  } finally {
    await env.close();
  }
});

test('kill -9 twice in a row (the second during window restore): still nothing lost', { timeout: 600_000 }, async () => {
  const env = await chaosEnv({ partitions: 3 });
  const c = env.collector!;
  const started = Date.now();
  try {
    const S = 24;
    const N = 160;
    const expected = S * (N - W + 1);
    await produce(env.producer, env.topics.ticks, tickStream(S, N));
    const svc1 = await env.service(SNAPSHOTS);
    await c.waitFor(() => c.of(env.topics.forecasts).length >= expected * 0.2, 240_000, '20% of the forecasts');
    await svc1.waitForLog(snapshotWritten, 30_000, 'a series-state snapshot');
    await svc1.kill9();
    // Second instance: killed as soon as it is ready, while it replays the tail after the snapshot.
    const svc2 = await env.service(SNAPSHOTS);
    const before = c.of(env.topics.forecasts).length;
    await sleep(300);
    await svc2.kill9();
    const svc3 = await env.service(SNAPSHOTS);
    await waitProgress(() => forecastLedger(c.of(env.topics.forecasts)).distinct, expected, `${expected} distinct forecasts`, { diagnose: async () => `${await pipelineState(svc3)}\nlogs:\n${tail(svc3.logs)}` });
    await c.settle(2000, 20_000);
    const led = forecastLedger(c.of(env.topics.forecasts));
    for (const [series, ts] of led.by) assert.equal(new Set(ts).size, N - W + 1, `${series}: every eligible tick forecast`);
    assert.equal(await svc3.stop(), 0);
    console.log(`# kill-9 ×2: ${expected} eligible ticks; ${before} forecasts out before the second kill; ${led.total} forecasts = ${led.distinct} distinct + ${led.duplicates} duplicates; test ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await env.close();
  }
});
