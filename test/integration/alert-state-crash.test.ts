/**
 * topics.alertState across a crash mid-handover (docs/reliability.md § Open alerts that follow
 * their partition, test plan item 6): instance A, a real process, publishes a `firing` alert and
 * its alert-state record and is killed with SIGKILL before it commits the chunk's offsets. B takes
 * the partition over after A's session timeout, starts at A's last committed offset (before the
 * firing tick), reads the alert A left open and handles the firing tick again as a live record.
 * Its detector (fresh: it learns for 150 ticks) cannot fire it: it must resolve the inherited
 * alert, once, with `"reason":"moved"` — not on a tick before the firing tick, not twice, and not
 * leave it firing — and tombstone its state.
 *
 * "Before it commits" is made certain, not raced: a preloaded module holds every commit of A's
 * consumer once the test creates a marker file (and writes a second file when it holds one), so A
 * has sent the firing and its state — the commit comes only after the send is acknowledged — and
 * committed nothing of that chunk when it is killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, testKafka } from '../helpers/kafka.ts';
import { until } from '../helpers/poll.ts';
import { startSourceService, waitFor } from '../helpers/spawned-service.ts';
import type { App } from '../../src/app.ts';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 600;
/** The last tick A commits before its commits are held. */
const CALM = STEP - 10;

/** Ticks [from, to) of `id`: a sine that steps up by 80 at STEP and stays up (its alert fires and stays open). */
function ticks(id: string, from: number, to: number) {
  const out: Array<{ key: string; value: string; partition: number }> = [];
  for (let i = from; i < to; i++) {
    const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + Math.sin(i * 12.9898) * 0.5 + (i >= STEP ? 80 : 0);
    out.push({ key: id, partition: 0, value: JSON.stringify({ series: id, ts: T0 + i * 60_000, value: v }) });
  }
  return out;
}

/** A preload for the service process: once `hold` exists, its consumers' commits never complete (and `held` is written). */
function holdCommits(hold: string, held: string): string {
  const src = `import { createRequire } from 'node:module'; import { existsSync, writeFileSync } from 'node:fs';
const K = createRequire(process.cwd() + '/')('@confluentinc/kafka-javascript').KafkaJS.Kafka;
const consumer = K.prototype.consumer;
K.prototype.consumer = function (...args) {
  const c = consumer.apply(this, args);
  const commit = c.commitOffsets.bind(c);
  c.commitOffsets = (offsets) => {
    if (!existsSync(${JSON.stringify(hold)})) return commit(offsets);
    writeFileSync(${JSON.stringify(held)}, JSON.stringify(offsets));
    return new Promise(() => {});
  };
  return c;
};`;
  return `data:text/javascript,${encodeURIComponent(src)}`;
}

type Alert = { kind?: string; series: string; state: string; reason?: string; ts: number; id: string; firingId?: string };

test('killed (SIGKILL) after publishing a firing alert and its state, before committing: the new owner resolves it once as moved', { timeout: 300_000 }, async (t) => {
  const prefix = uniqueName('alertstate-crash');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.dlq`, alertState: `${prefix}.alert-state` };
  const broker = await startBroker({ topics: [topics.ticks, topics.alertState, topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const admin = kafka.admin();
  await admin.connect();
  const out = await Collector.start(kafka, [topics.anomalies, topics.alertState], uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-alertstate-crash-'));
  const hold = path.join(dir, 'hold');
  const held = path.join(dir, 'held');
  const groupId = `${prefix}-svc`;
  let b: App | null = null;
  try {
    const a = await startSourceService(t, {
      preload: [holdCommits(hold, held)],
      env: {
        KAFKA_BROKERS: broker.brokers.join(','), TICKCAST_KAFKA_GROUP_ID: groupId, TICKCAST_KAFKA_FROM_BEGINNING: 'true',
        TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '6000', TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '500', TICKCAST_MODEL_ENGINE: 'onnx',
        TICKCAST_TOPICS_TICKS: topics.ticks, TICKCAST_TOPICS_FORECASTS: topics.forecasts, TICKCAST_TOPICS_ANOMALIES: topics.anomalies,
        TICKCAST_TOPICS_DLQ: topics.dlq, TICKCAST_TOPICS_ALERT_STATE: topics.alertState, TICKCAST_SNAPSHOTS_ENABLED: 'false',
      },
    });
    const send = (from: number, to: number) => producer.send({ topic: topics.ticks, acks: -1, messages: ticks('c0', from, to) });
    const committed = async () => Number((await admin.fetchOffsets({ groupId, topics: [topics.ticks] }))[0]?.partitions[0]?.offset ?? -1);
    const alerts = () => out.of(topics.anomalies).map((m) => JSON.parse(String(m.value)) as Alert).filter((r) => r.kind === 'alert' && r.series === 'c0');

    // 1. A handles and commits the calm part; then its commits are held.
    await send(0, CALM);
    await waitFor(`A committing offset ${CALM}`, 120_000, async () => ((await committed()) === CALM ? true : undefined), 200);
    writeFileSync(hold, '');
    // 2. The step, in one batch: A fires, sends the firing and its state, and its commit is held.
    await send(CALM, STEP + 6);
    await out.waitFor(() => alerts().some((r) => r.state === 'firing'), 60_000, 'A firing');
    await waitFor("A's commit of the firing chunk held", 30_000, () => (existsSync(held) ? true : undefined));
    a.child.kill('SIGKILL');
    assert.equal((await a.exited).signal, 'SIGKILL');
    assert.equal(await committed(), CALM, 'nothing of the firing chunk committed');
    const firing = alerts().filter((r) => r.state === 'firing');
    assert.equal(firing.length, 1, JSON.stringify(firing));

    // 3. B takes the partition over (after A's session timeout) and handles the rest.
    b = await startTestApp({
      kafka: { brokers: broker.brokers, groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
      topics,
      model: { dir: path.join(dir, 'model-b') },
      snapshots: { enabled: false },
      windows: { restoreRecordsPerPartition: 20 },
    });
    const nb = b;
    await send(STEP + 6, STEP + 16);
    const lastTs = T0 + (STEP + 15) * 60_000;
    await until(() => nb.serving.getSeries('c0')?.lastTs === lastTs, 90_000, 'B handling the series to its last tick');
    await out.waitFor(() => alerts().some((r) => r.state === 'resolved'), 30_000, 'the inherited alert resolved');
    await out.settle(1500);

    const all = alerts();
    const resolved = all.filter((r) => r.state === 'resolved');
    assert.equal(resolved.length, 1, `one resolved record: ${JSON.stringify(all)}`);
    assert.equal(resolved[0].reason, 'moved');
    assert.equal(resolved[0].firingId, firing[0].id, 'it resolves the alert A published');
    assert.ok(resolved[0].ts >= firing[0].ts, 'not on a tick before the firing tick');
    assert.equal(all.at(-1)?.state, 'resolved', `closed downstream, not fired again: ${JSON.stringify(all)}`);
    assert.equal(nb.serving.getSeries('c0')?.anomalyState === 'firing', false, 'B does not have it firing');
    const state = out.of(topics.alertState);
    assert.ok(state.length >= 2, `A's firing state and B's tombstone: ${state.length} record(s)`);
    assert.equal(state.at(-1)?.value, null, 'the alert state is tombstoned');
  } finally {
    await b?.stop().catch(() => undefined);
    await out.stop().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
