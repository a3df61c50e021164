/**
 * Regression test for docs/reliability.md finding 2 (fixed): on partition assignment the Kafka
 * source seeks back `windows.restoreRecordsPerPartition` records to rebuild windows. kafkajs'
 * `seek()` with autoCommit on *commits* that earlier offset, so a crash during the restore made the
 * next instance emit again every output of the re-read records. The source now commits explicitly
 * (autoCommit off): a restart with no new input must emit nothing and never move the committed
 * offset backwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosEnv, machineLine, sleep, topicRecords } from './helpers/env.ts';
import { produce, tickStream } from '../helpers/kafka.ts';

test(
  'restarting does not move the committed offset backwards (a crash during restore re-emits nothing)',
  { timeout: 300_000 },
  async () => {
    const env = await chaosEnv({ partitions: 1, collect: false });
    const admin = env.kafka.admin();
    await admin.connect();
    const groupId = `${env.prefix}-svc`;
    const committed = async () => {
      const [t] = await admin.fetchOffsets({ groupId, topics: [env.topics.ticks] });
      return Number(t?.partitions[0]?.offset ?? -1);
    };
    try {
      const S = 10;
      const N = 3_000;
      await produce(env.producer, env.topics.ticks, tickStream(S, N));
      // Model forecasts once the window (16) is full, plus the cold-start baseline's for ticks 2–15.
      const expected = S * (N - 16 + 1) + S * (16 - 2);
      // This test is about the plain window replay: no series-state snapshot to restore from.
      const first = await env.service({ env: { TICKCAST_SNAPSHOTS_ENABLED: 'false' } });
      for (let i = 0; (await topicRecords(env.kafka, env.topics.forecasts)) < expected; i++) {
        assert.ok(i < 1_200, 'first run forecasts everything within 240 s');
        await sleep(200);
      }
      assert.equal(await first.stop(), 0);
      const end = await committed();
      assert.equal(end, S * N, 'everything committed after a clean stop');
      const forecastsBefore = await topicRecords(env.kafka, env.topics.forecasts);

      // Restart with no new input; watch the committed offset while it restores its windows.
      const second = await env.service({ waitReady: false, env: { TICKCAST_SNAPSHOTS_ENABLED: 'false' } });
      let min = end;
      const t0 = Date.now();
      while (Date.now() - t0 < 20_000) {
        min = Math.min(min, await committed());
        if (min < end) break;
        await sleep(5);
      }
      let reEmitted = 0;
      if (min < end) {
        await second.kill9(); // a crash while the committed offset is rewound
        const third = await env.service({ env: { TICKCAST_SNAPSHOTS_ENABLED: 'false' } });
        await sleep(5_000);
        reEmitted = (await topicRecords(env.kafka, env.topics.forecasts)) - forecastsBefore;
        await third.stop();
      } else {
        await second.stop();
      }
      console.log(`# restore-commit: committed ${end} before the restart, lowest seen during restore ${min}; forecasts re-emitted after a crash in that window: ${reEmitted}; ${machineLine()}`);
      assert.equal(min, end, 'the committed offset never goes backwards during a restore');
      assert.equal(reEmitted, 0, 'no input, no output');
    } finally {
      await admin.disconnect();
      await env.close();
    }
  },
);
