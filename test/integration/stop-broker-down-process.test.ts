/**
 * The incomplete stop as an operator sees it (docs/reliability.md, "Shutdown with the brokers
 * unreachable"): the real process (`node --import tsx src/main.ts`, Kafka mode) gets SIGTERM while
 * the brokers are down and a chunk's outputs wait to be sent. It must give them up after
 * shutdown.flushMs, say so, exit 1 (work will be processed again) well within shutdown.graceMs, and
 * the restarted process must forecast every tick of that chunk. stop-broker-down.test.ts checks the
 * same drain in-process (snapshot contents); this one checks main.ts's exit code and the restart.
 *
 * Holding a chunk in flight from outside: the inference batcher waits 3 s for a batch to fill
 * (batching.maxWaitMs; a chunk's 20 windows never fill one), so a chunk's outputs are sent 3 s after
 * its ticks are accepted; the brokers go down as soon as /metrics counts them accepted — well inside
 * those 3 s (asserted), so its outputs cannot have been sent. (kafka.properties linger.ms cannot do
 * it: the producer's own linger.ms 5 overrides it.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { isCold } from '../helpers/forecasts.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import { startSourceService, waitFor, waitForLog, type SpawnedService } from '../helpers/spawned-service.ts';

const S = 2;
const A = 30;
const B = 10;
const HOLD_MS = 3_000;
const FLUSH_MS = 2_000;

/** Ticks the pipeline accepted (tickcast_ticks_total{result="accepted"}), from the process' /metrics. */
async function accepted(svc: SpawnedService): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tickcast_ticks_total{') && l.includes('result="accepted"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Forecasts (not cold-start) on the topic, as "series@ts". */
function forecastKeys(c: Collector, topic: string): Set<string> {
  const seen = new Set<string>();
  for (const f of c.of(topic)) {
    const v = JSON.parse(String(f.value));
    if (!isCold(v)) seen.add(`${v.series}@${v.ts}`);
  }
  return seen;
}

test('SIGTERM with the brokers down and outputs in flight: the process gives them up after shutdown.flushMs, exits 1; the restart forecasts them', { timeout: 240_000 }, async (t) => {
  const prefix = uniqueName('stopdownproc');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopdownproc-it-'));
  const env = {
    KAFKA_BROKERS: broker.brokers.join(','),
    TICKCAST_TOPICS_TICKS: topics.ticks,
    TICKCAST_TOPICS_FORECASTS: topics.forecasts,
    TICKCAST_TOPICS_ANOMALIES: topics.anomalies,
    TICKCAST_TOPICS_DLQ: topics.dlq,
    TICKCAST_KAFKA_GROUP_ID: `${prefix}-svc`,
    TICKCAST_KAFKA_FROM_BEGINNING: 'true',
    TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '6000',
    TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    TICKCAST_KAFKA_FETCH_MAX_WAIT_MS: '100',
    TICKCAST_BATCHING_MAX_WAIT_MS: String(HOLD_MS),
    TICKCAST_MODEL_DIR: path.join(dir, 'model'),
    TICKCAST_SNAPSHOTS_ENABLED: 'true',
    TICKCAST_SHUTDOWN_FLUSH_MS: String(FLUSH_MS),
  };
  const stream = tickStream(S, A + B);
  const first = stream.slice(0, A * S);
  const late = stream.slice(A * S);
  const want = late.map((m) => JSON.parse(m.value) as { series: string; ts: number }).map((v) => `${v.series}@${v.ts}`);
  let collector: Collector | null = null;
  try {
    const svc1 = await startSourceService(t, { env });
    await waitForLog(svc1.log, /"msg":"tickcast running"/, 120_000);
    collector = await Collector.start(kafka, [topics.forecasts], `${prefix}-check`);
    await produce(producer, topics.ticks, first);
    const lastOfFirst = `s0@${(JSON.parse(first.at(-S)!.value) as { ts: number }).ts}`;
    await waitFor('the first part forecast (sent, so committed)', 60_000, () => (forecastKeys(collector!, topics.forecasts).has(lastOfFirst) ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000)); // its commit

    await produce(producer, topics.ticks, late);
    await waitFor('the late chunk accepted', 30_000, async () => ((await accepted(svc1)) >= first.length + late.length ? true : undefined), 20);
    const acceptedAt = Date.now();
    broker.down();
    const lateBy = Date.now() - acceptedAt;
    assert.ok(lateBy < HOLD_MS / 3, `the brokers went down ${lateBy} ms after the chunk was accepted, well inside the batcher's ${HOLD_MS} ms wait`);
    await new Promise((r) => setTimeout(r, 300)); // the signal lands (broker.down)

    const t0 = Date.now();
    svc1.child.kill('SIGTERM');
    const timer = setTimeout(() => svc1.child.kill('SIGKILL'), 25_000);
    const { code, signal } = await svc1.exited;
    clearTimeout(timer);
    const ms = Date.now() - t0;
    assert.equal(signal, null, `exited by itself; log:\n${svc1.log.text.slice(-3000)}`);
    assert.equal(code, 1, `an incomplete stop exits 1 (work will be processed again); log:\n${svc1.log.text.slice(-3000)}`);
    // Measured here: "stopped" at ~flushMs, the exit ~5 s later (a known gap, cause not found yet:
    // docs/reliability.md): ~7 s in all, against graceMs 25 s.
    assert.ok(ms < FLUSH_MS + 12_000, `stopped in ${ms} ms: shutdown.flushMs (${FLUSH_MS} ms), the rest of the drain and the client's exit, not graceMs (25 s)`);
    assert.match(svc1.log.text, /outputs of the chunks in flight not acknowledged within shutdown\.flushMs/);
    assert.match(svc1.log.text, /"msg":"stopped"/);
    assert.doesNotMatch(svc1.log.text, /drain did not finish within shutdown\.graceMs/);
    const before = forecastKeys(collector, topics.forecasts);
    assert.equal(want.filter((k) => before.has(k)).length, 0, 'no output of the given-up chunk was sent before the stop');

    broker.up();
    const svc2 = await startSourceService(t, { env });
    await waitFor('every tick of the given-up chunk forecast after the restart', 90_000, () => {
      const seen = forecastKeys(collector!, topics.forecasts);
      return want.every((k) => seen.has(k)) ? true : undefined;
    }).catch((err: Error) => {
      const seen = forecastKeys(collector!, topics.forecasts);
      throw new Error(`${err.message}: ${want.filter((k) => seen.has(k)).length}/${want.length}; log:\n${svc2.log.text.slice(-3000)}`);
    });
    svc2.child.kill('SIGTERM');
    assert.equal((await svc2.exited).code, 0, `a clean stop exits 0; log:\n${svc2.log.text.slice(-3000)}`);
  } finally {
    await collector?.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
