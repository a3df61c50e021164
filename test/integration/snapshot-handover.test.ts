/**
 * A partition that changes hands leaves the old owner's memory and snapshot (docs/reliability.md,
 * "Series-state snapshots"), through the real broker and two real apps in one group: A owns both
 * partitions; B joins and takes one; B advances it well past windows.restoreRecordsPerPartition;
 * both stop; A restarts alone and rebuilds that partition by the plain replay (at most
 * restoreRecordsPerPartition records, windows and detector), not by replaying B's whole stretch through
 * the model from the offset A's old snapshot held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { connectProducer, testKafka, tickStream } from '../helpers/kafka.ts';
import { decodeSnapshot } from '../../src/pipeline/snapshot/codec.ts';
import type { SnapshotTree } from '../../src/pipeline/snapshot/series-state.ts';
import type { App } from '../../src/app.ts';
import { until } from '../helpers/poll.ts';

test('a partition handed to another instance is dropped from memory and the snapshot; a restart replays it plainly, not its whole new stretch', { timeout: 240_000 }, async () => {
  const prefix = uniqueName('handover');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dirs = [mkdtempSync(path.join(tmpdir(), 'tc-handover-a-')), mkdtempSync(path.join(tmpdir(), 'tc-handover-b-'))];
  const REPLAY = 40;
  const config = (dir: string) => ({
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
    windows: { restoreRecordsPerPartition: REPLAY },
  });
  // Series s0, s1 on partition 0; s2, s3 on partition 1.
  const home = (id: string) => (Number(id.slice(1)) < 2 ? 0 : 1);
  const send = (msgs: Array<{ key: string; value: string }>) =>
    producer.send({ topic: topics.ticks, acks: -1, messages: msgs.map((m) => ({ ...m, partition: home(m.key) })) });
  const stream = tickStream(4, 130);
  const lastTs = (app: App, id: string) => app.serving.getSeries(id)?.lastTs ?? null;
  const tsOf = (m: { value: string }) => JSON.parse(m.value).ts as number;
  const apps: App[] = [];
  try {
    // 1. A alone: 30 ticks of every series (60 records a partition).
    const a = await startTestApp(config(dirs[0]));
    apps.push(a);
    await send(stream.slice(0, 4 * 30));
    await until(() => ['s0', 's1', 's2', 's3'].every((id) => lastTs(a, id) === tsOf(stream[4 * 29])), 60_000, 'A handles the first 30 ticks');

    // 2. B joins and takes one partition: A drops the series of the one it lost.
    const b = await startTestApp(config(dirs[1]));
    apps.push(b);
    await until(() => a.store.size === 2, 60_000, "A dropping the series of the partition B took");
    const kept = ['s0', 's1', 's2', 's3'].filter((id) => a.store.has(id));
    const lost = ['s0', 's1', 's2', 's3'].filter((id) => !kept.includes(id));
    const lostPartition = home(lost[0]);
    assert.deepEqual(lost.map(home), [lostPartition, lostPartition], 'exactly the series homed on one partition');

    // 3. B advances that partition by 100 ticks of its two series: 200 records, far more than REPLAY.
    const more = stream.slice(4 * 30).filter((m) => home(m.key) === lostPartition);
    await send(more);
    await until(() => lost.every((id) => lastTs(b, id) === tsOf(more[more.length - 1])), 60_000, 'B handles the new stretch');

    // 4. Both stop; A's shutdown snapshot covers only the partition it still owned.
    await a.stop();
    await b.stop();
    const snap = decodeSnapshot(readFileSync(path.join(dirs[0], 'model', 'series-state', 'series-state.snap'))) as SnapshotTree;
    assert.deepEqual(Object.keys(snap.offsets), [String(1 - lostPartition)], "no offset for the partition B took");
    assert.deepEqual(snap.series.map((e) => e.id).sort(), kept);

    // 5. A restarts alone: its own partition is current (nothing to replay); the other gets the plain replay.
    const a2 = await startTestApp(config(dirs[0]));
    apps.push(a2);
    await until(() => a2.snapshots!.replayed.window >= REPLAY, 60_000, 'the plain replay of the partition B had');
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(a2.snapshots!.replayed, { full: 0, window: REPLAY }, 'the plain replay reads REPLAY records; nothing of B\'s stretch goes through the model');
    const st = await (await fetch(`${a2.address()}/v1/snapshots`)).json();
    assert.deepEqual(st.replayed, { full: 0, window: REPLAY });
  } finally {
    for (const app of apps) await app.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
