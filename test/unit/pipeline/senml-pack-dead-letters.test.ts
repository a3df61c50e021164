/**
 * A SenML pack (input.format senml) is one record carrying many ticks, and goes to the dead-letter
 * topic at most once per poll, however many of its ticks fail (since 7 Dec 2026; before, a pack
 * with input.senmlSeries baseName and missingFeature carry was dead-lettered once per series whose
 * first tick lacked a feature, and a tick whose processing threw dropped every later tick of the
 * pack while its earlier ones stayed taken; a pack whose ticks failed when scored was dead-lettered
 * once per tick).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import type { OutMessage, PipelineObserver } from '../../../src/pipeline/ports.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';
import { addReason, deadLetterMessage } from '../../../src/pipeline/dead-letter.ts';
import { ErrorCodes, recordError } from '../../../src/errors/index.ts';

const T0 = 1_700_000_000_000;
const pack = (body: object[]): RawRecord => ({ key: Buffer.from('gw'), value: Buffer.from(JSON.stringify(body)), headers: {}, source: { topic: 't', partition: 0, offset: '0' }, receivedAtMs: 0 });

async function run(body: object[], seriesHome?: (series: string) => void, live?: PipelineObserver['live'], deadLetter?: PipelineObserver['deadLetter'], breakPush?: string): Promise<{ dlq: OutMessage[]; outcomes: string[] }> {
  const spec = { ...SMALL_SPEC, features: ['temp', 'hum'], targets: ['temp'] };
  const ms = await createModelServing({ spec });
  const push = ms.store.push.bind(ms.store);
  ms.store.push = (series, ...rest) => {
    if (series === breakPush) throw new Error('store broke');
    return push(series, ...rest);
  };
  const sent: OutMessage[] = [];
  const outcomes: string[] = [];
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) }, observer: { tick: (o: string) => void outcomes.push(o), live, deadLetter }, seriesHome,
    codec: { features: ['temp', 'hum'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'carry', format: 'senml', senmlSeries: 'baseName' },
  });
  try {
    await pipeline.handle([pack(body)]);
  } finally {
    await ms.close();
  }
  return { dlq: sent.filter((m) => m.stream === 'dlq'), outcomes };
}

test('a pack whose three series each lack a feature on their first tick is dead-lettered once, naming all three', async () => {
  const { dlq, outcomes } = await run(['a', 'b', 'c'].map((bn) => ({ bn, bt: T0 / 1000, n: 'temp', v: 20 })));
  assert.deepEqual(outcomes, ['incomplete', 'incomplete', 'incomplete']);
  assert.equal(dlq.length, 1, 'one dead letter for the one pack');
  const reason = String(dlq[0].headers['tickcast-error-message']);
  assert.match(reason, /series "a"/);
  assert.match(reason, /3 ticks of this record/);
  assert.match(reason, /"b", "c"/);
});

test('a tick whose processing throws: the pack\'s later ticks are still taken, and the pack is dead-lettered once, naming that tick', async () => {
  const body = ['a', 'b', 'c'].flatMap((bn) => [{ bn, bt: T0 / 1000, n: 'temp', v: 20 }, { n: 'hum', v: 40 }]);
  const homed: string[] = [];
  const { dlq, outcomes } = await run(body, (series) => {
    homed.push(series);
    if (series === 'b') throw new Error('boom'); // after b's push and its outcome
  });
  assert.deepEqual(homed, ['a', 'b', 'c'], 'c taken too');
  // b is windowed (and forecast): it counts accepted, once; before 7 Dec 2026 (evening) it counted dead_letter, and a merged reading whose hook threw counted both (windowed-failure-count.test.ts).
  assert.deepEqual(outcomes, ['accepted', 'accepted', 'accepted'], 'each tick counted once; the pack\'s dead letter is not a second outcome');
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_PROCESSING_FAILED');
  assert.match(String(dlq[0].headers['tickcast-error-message']), /boom.*series "b" at 2023-11-14T22:13:20\.000Z.*other 2 ticks/);
});

test('a tick whose window push itself throws is not windowed: the pack counts a dead_letter outcome, once', async () => {
  const body = ['a', 'b', 'c'].flatMap((bn) => [{ bn, bt: T0 / 1000, n: 'temp', v: 20 }, { n: 'hum', v: 40 }]);
  const { dlq, outcomes } = await run(body, undefined, undefined, undefined, 'b');
  assert.deepEqual(outcomes, ['accepted', 'accepted', 'dead_letter']);
  assert.equal(dlq.length, 1);
  assert.match(String(dlq[0].headers['tickcast-error-message']), /store broke.*series "b"/);
});

test('a pack whose ticks all fail when scored (phase 3) is dead-lettered once', async () => {
  const body = ['a', 'b', 'c'].flatMap((bn) => [{ bn, bt: T0 / 1000, n: 'temp', v: 20 }, { n: 'hum', v: 40 }]);
  const { dlq, outcomes } = await run(body, undefined, (e) => {
    if (e.type === 'tick') throw new Error('live view broke');
  });
  // The ticks are windowed and counted accepted; before 7 Dec 2026 the pack counted as a dead_letter outcome too (test/unit/pipeline/windowed-failure-count.test.ts).
  assert.deepEqual(outcomes, ['accepted', 'accepted', 'accepted']);
  assert.equal(dlq.length, 1);
  assert.match(String(dlq[0].headers['tickcast-error-message']), /live view broke/);
});

test('a dead letter whose making throws is made again as a processing failure, not marked sent and dropped (the record would be committed with no trace)', async () => {
  let calls = 0;
  const { dlq } = await run([{ bn: 'a', bt: T0 / 1000, n: 'temp', v: 20 }], undefined, undefined, () => {
    if (calls++ === 0) throw new Error('metrics broke');
  });
  assert.equal(dlq.length, 1, 'the record is still dead-lettered once');
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_PROCESSING_FAILED');
  assert.match(String(dlq[0].headers['tickcast-error-message']), /metrics broke/);
});

test('a pack dead-lettered in phase 1 (a missing feature) whose other tick then fails when scored: its one dead letter carries both reasons', async () => {
  // Before 7 Dec 2026 the later failure was dropped: the pack was dead-lettered already, so the operator fixed the gateway and met the second fault only on re-drive.
  const body = [{ bn: 'a', bt: T0 / 1000, n: 'temp', v: 20 }, { bn: 'b', n: 'temp', v: 21 }, { n: 'hum', v: 40 }];
  const { dlq, outcomes } = await run(body, undefined, (e) => {
    if (e.type === 'tick') throw new Error('live view broke');
  });
  assert.deepEqual(outcomes, ['incomplete', 'accepted'], 'each tick told once; the pack is no second dead_letter');
  assert.equal(dlq.length, 1, 'one dead letter for the one pack');
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_MISSING_FEATURE', 'the first reason gives the code');
  const reason = String(dlq[0].headers['tickcast-error-message']);
  assert.match(reason, /"hum" missing and series "a"/);
  assert.match(reason, /also TC_RECORD_PROCESSING_FAILED: processing this record failed: live view broke/);
});

test('a pack with a tick that throws and one with nothing to carry: its one dead letter names both', async () => {
  const body = [{ bn: 'a', bt: T0 / 1000, n: 'temp', v: 20 }, { bn: 'b', n: 'temp', v: 21 }, { n: 'hum', v: 40 }];
  const { dlq, outcomes } = await run(body, (series) => {
    if (series === 'b') throw new Error('boom');
  });
  assert.deepEqual(outcomes, ['incomplete', 'accepted'], 'b windowed, counted accepted once');
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_PROCESSING_FAILED');
  assert.match(String(dlq[0].headers['tickcast-error-message']), /boom.*; also TC_RECORD_MISSING_FEATURE: feature "hum" missing and series "a"/);
});

test('later reasons of one dead letter: each named once, up to three, the rest counted, the code the first\'s', () => {
  const rec = pack([{ n: 'a', v: 1 }]);
  const first = recordError(ErrorCodes.RECORD_MISSING_FEATURE, 'first');
  const made = { message: deadLetterMessage(rec, first, 10_000, T0), first, also: [], unnamed: 0 };
  addReason(made, rec, first, 10_000, T0); // the first reason again: nothing to add
  for (const why of ['x', 'x', 'y', 'z', 'w', 'v']) addReason(made, rec, recordError(ErrorCodes.RECORD_PROCESSING_FAILED, why), 10_000, T0);
  assert.equal(made.message.headers['tickcast-error-code'], 'TC_RECORD_MISSING_FEATURE');
  assert.equal(made.message.headers['tickcast-error-message'], 'first; also TC_RECORD_PROCESSING_FAILED: x; also TC_RECORD_PROCESSING_FAILED: y; also TC_RECORD_PROCESSING_FAILED: z; and 2 more failures');
});

test('a tick whose processing throws after its window push still gets its forecast, so a re-driven pack (its ticks now duplicates) loses nothing', async () => {
  // Before 7 Dec 2026 the tick stayed in its window with no forecast, and the re-drive dropped it as a duplicate: it never got one.
  const ms = await createModelServing({ spec: SMALL_SPEC });
  const sent: OutMessage[] = [];
  const outcomes: string[] = [];
  let homed = 0;
  let firstPass = 0;
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) }, observer: { tick: (o: string) => void outcomes.push(o) },
    seriesHome: () => {
      if (++homed === SMALL_SPEC.window) throw new Error('boom'); // the tick that fills the window, after its push
    },
    codec: { features: ['value'], maxRecordBytes: 65536, seriesPattern: /^[a-z:]+$/, missingFeature: 'reject', format: 'senml', senmlSeries: 'name' },
  });
  const body = [{ bn: 'd:', bt: T0 / 1000, n: 'x', v: 1 }, ...Array.from({ length: SMALL_SPEC.window - 1 }, (_, i) => ({ n: 'x', t: 60 * (i + 1), v: 2 + (i % 3) }))];
  try {
    await pipeline.handle([pack(body)]);
    firstPass = outcomes.length;
    await pipeline.handle([{ ...pack(body), source: { topic: 't', partition: 0, offset: '1' } }]); // the operator re-drives the dead letter: the pack again, at a later offset
  } finally {
    await ms.close();
  }
  const last = T0 + 60_000 * (SMALL_SPEC.window - 1);
  const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as { series: string; ts: number });
  assert.deepEqual(forecasts.map((f) => [f.series, f.ts]), [['d:x', last]], 'the window-filling tick forecast once');
  assert.equal(sent.filter((m) => m.stream === 'dlq').length, 1, 'the first pass dead-lettered the pack');
  assert.deepEqual([...new Set(outcomes.slice(firstPass))].sort(), ['duplicate', 'late'], 'the re-drive takes none of the pack again (the last tick a duplicate, the others late)');
});

test('a pack dead-lettered already in this poll (a read of its earlier tick threw) whose later tick\'s push throws: that tick still counts a dead_letter outcome', async () => {
  // Before 7 Dec 2026 (late evening) the later tick was counted nowhere: its pack's dead letter was made
  // (not counted, the earlier tick windowed) when the read threw, and the push's failure only added its reason.
  const ms = await createModelServing({ spec: SMALL_SPEC });
  const sent: OutMessage[] = [];
  const outcomes: string[] = [];
  const last = T0 + 60_000 * SMALL_SPEC.window;
  const push = ms.store.push.bind(ms.store);
  ms.store.push = (series, tsMs, ...rest) => {
    if (tsMs === last) throw new Error('store broke');
    return push(series, tsMs, ...rest);
  };
  ms.store.snapshot = () => {
    throw new Error('read broke'); // the window-filling tick's read, taken before the next tick of its series is pushed
  };
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) }, observer: { tick: (o: string) => void outcomes.push(o) },
    codec: { features: ['value'], maxRecordBytes: 65536, seriesPattern: /^[a-z]+$/, missingFeature: 'carry', format: 'senml', senmlSeries: 'name' },
  });
  const body = [{ bn: 'd', bt: T0 / 1000, n: 'x', v: 1 }, ...Array.from({ length: SMALL_SPEC.window }, (_, i) => ({ n: 'x', t: 60 * (i + 1), v: 2 + (i % 3) }))];
  try {
    await pipeline.handle([pack(body)]);
  } finally {
    await ms.close();
  }
  assert.deepEqual(outcomes, [...Array.from({ length: SMALL_SPEC.window }, () => 'accepted'), 'dead_letter'], 'each tick counted once');
  const dlq = sent.filter((m) => m.stream === 'dlq');
  assert.equal(dlq.length, 1, 'one dead letter for the one pack');
  assert.match(String(dlq[0].headers['tickcast-error-message']), /read broke.*also TC_RECORD_PROCESSING_FAILED: processing this record failed: store broke/);
});
