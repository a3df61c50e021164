/**
 * A chunk of warm-up records only commits nothing: with exactly-once delivery the source runs no
 * transaction for it, and the sink writes only into one. What such a chunk still outputs — an
 * incident closing during a replay (a follower's `advance`), the resolve of a series evicted at the
 * cap while replaying — goes to the loose sink (a transaction of its own there). Before, it went to
 * the chunk sink: rejected outside a transaction, the chunk failed and was redelivered with the same
 * kept outputs, again and again. Chunks with a live record write to the chunk's sink as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';

const W = SMALL_SPEC.window;
const tick = (i: number, warmup: boolean): RawRecord => ({
  key: Buffer.from('s'),
  value: Buffer.from(JSON.stringify({ ts: 1_700_000_000_000 + i * 60_000, value: Math.sin(i / 3) + 10 })),
  headers: {},
  source: { topic: 't', partition: 0, offset: String(i) },
  receivedAtMs: 0,
  ...(warmup ? { warmup: true } : {}),
});

test("a warm-up-only chunk's outputs go to the loose sink; a chunk with live records to the chunk sink", async () => {
  const ms = await createModelServing();
  try {
    const chunk: OutMessage[] = [];
    const loose: OutMessage[] = [];
    let closes = 0;
    const pipeline = new StreamPipeline({
      store: new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 60_000_000, duplicatePolicy: 'drop', normHalfLifeTicks: 500 }),
      outlook: new SeriesOutlook(),
      recentAnomalies: new RecentAnomalies(),
      inference: ms.inference,
      scorer: null,
      sink: { send: async (m) => void chunk.push(...m) },
      looseSink: { send: async (m) => void loose.push(...m) },
      codec: { features: ['value'], maxRecordBytes: 2_000_000, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
      // An incident that closes at every chunk (as one closing on its idle clock during a replay).
      followers: [{ advance: () => [{ key: `inc-${++closes}`, value: '{"kind":"incident","state":"closed"}' }] }],
    });
    await pipeline.handle(Array.from({ length: 5 }, (_, i) => tick(i, true)));
    assert.deepEqual(loose.map((m) => m.key), ['inc-1'], 'warm-up only: the loose sink');
    assert.equal(chunk.length, 0);
    await pipeline.handle([tick(5, true), tick(6, false)]);
    assert.deepEqual(chunk.filter((m) => m.stream === 'anomalies').map((m) => m.key), ['inc-2'], 'a live record in it: the chunk sink');
    assert.equal(loose.length, 1);
  } finally {
    await ms.close();
  }
});
