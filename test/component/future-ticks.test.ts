/**
 * A device clock set wrong: one tick stamped years ahead used to be accepted, and every later tick
 * of its series was then `late` and dropped — the series frozen for good (its late ticks kept it
 * from going idle, too). With input.maxFutureMs (1 day by default) such a tick is dead-lettered
 * (TC_RECORD_BAD_TS, original bytes) and the series goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('a tick stamped far ahead of the host clock is dead-lettered; its series keeps being read', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource });
  try {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    let offset = 0;
    const rec = (ts: number | string, value: number): RawRecord => ({
      key: Buffer.from('rtc-reset'),
      value: Buffer.from(JSON.stringify({ ts, value })),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(offset++) },
      receivedAtMs: Date.now(),
    });
    const records = Array.from({ length: 20 }, (_, k) => rec(t0 + k * 60_000, 20 + Math.sin(k)));
    const wrong = rec('2099-01-01T00:00:00Z', 21);
    const nearAhead = rec(t0 + 20 * 60_000 + 6 * 3_600_000, 22); // six hours ahead (a time zone wrong): within the bound
    records.splice(5, 0, wrong);
    await app.pipeline.handle([...records, nearAhead]);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_BAD_TS');
    assert.equal(dlq[0].headers['tickcast-source-offset'], wrong.source.offset);
    assert.match(String(dlq[0].headers['tickcast-error-message']), /^ts 2099-01-01T00:00:00\.000Z is \d+ days ahead of when it was sent \(its Kafka timestamp, at most this host's clock\); the bound is 24 h \(input\.maxFutureMs\)/);
    assert.equal(Buffer.compare(Buffer.from(dlq[0].value!), wrong.value!), 0, 'original bytes');
    assert.equal(app.serving.getSeries('rtc-reset')?.ticks, 21, 'every other tick accepted');
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.doesNotMatch(metrics, /^tickcast_ticks_total\{result="late"\} [1-9]/m, 'nothing late');
  } finally {
    await app.stop();
  }
});

/** A sink that keeps what it is sent, an app over it, and a record maker whose Kafka timestamp (receivedAtMs) is given. */
async function recorder() {
  const sent: OutMessage[] = [];
  const app = await startTestApp({}, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  let offset = 0;
  const rec = (series: string, ts: number, sentAt: number, value: number, warmup = false): RawRecord => ({
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ ts, value })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: sentAt,
    ...(warmup ? { warmup } : {}),
  });
  const late = async (): Promise<number> => Number(/^tickcast_ticks_total\{result="late"\} (\d+)/m.exec(await (await fetch(`${app.address()}/metrics`)).text())?.[1] ?? 0);
  return { app, sent, rec, late };
}

test('the bound is judged against when a record was sent (its Kafka timestamp), not when it is read: re-read at a restart or by a lagging consumer, a tick refused live is refused again', async () => {
  const { app, sent, rec, late } = await recorder();
  try {
    const now = Date.now();
    const sentAt = now - 2 * 3_600_000; // produced two hours ago
    const ahead = sentAt + 25 * 3_600_000; // 25 h ahead when sent: beyond the 1-day bound then, 23 h ahead of the clock now
    const hist = Array.from({ length: 10 }, (_, k) => rec('rtc', sentAt - (10 - k) * 60_000, sentAt - (10 - k) * 60_000, 20 + k, true));
    // A restart re-reads the partition's last records to rebuild windows (warm-up), the wrong tick among them…
    await app.pipeline.handle([...hist, rec('rtc', ahead, sentAt, 99, true)]);
    // …and a consumer two hours behind reads the same kind of tick live.
    await app.pipeline.handle([rec('lagging', ahead, sentAt, 99)]);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.equal(dlq.length, 1, 'the live one is dead-lettered (the warm-up one was, when it was live)');
    assert.match(String(dlq[0].headers['tickcast-error-message']), /^ts \S+ is 25 h ahead of when it was sent/);
    assert.ok(app.serving.getSeries('rtc')!.lastTs! < now, 'the re-read tick did not enter the window');
    const live = Array.from({ length: 5 }, (_, k) => rec('rtc', now - (5 - k) * 1000, now - (5 - k) * 1000, 30 + k));
    await app.pipeline.handle(live);
    assert.equal(await late(), 0, 'the series goes on after the restart');
    assert.equal(app.serving.getSeries('rtc')!.ticks, 15);
  } finally {
    await app.stop();
  }
});

test('a tick ahead of when it was sent by more than input.clockSkewMs (one reading from a clock 10 min fast) is taken as stamped, and its series\' correctly stamped ticks after it are not late for 10 minutes', async () => {
  const { app, sent, rec, late } = await recorder();
  try {
    const t0 = Date.now() - 300_000;
    const records = Array.from({ length: 30 }, (_, k) => rec('fast-rtc', t0 + k * 10_000, t0 + k * 10_000, 20 + Math.sin(k)));
    records[10] = rec('fast-rtc', t0 + 100_000 + 600_000, t0 + 100_000, 21);
    await app.pipeline.handle(records);
    assert.equal(sent.filter((m) => m.stream === 'dlq').length, 0);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /^tickcast_ticks_ahead_total 1$/m);
    assert.equal(await late(), 0, 'the ticks after it step back onto the true clock');
    const s = app.serving.getSeries('fast-rtc')!;
    assert.equal(s.ticks, 30);
    assert.equal(s.lastTs, t0 + 29 * 10_000);
  } finally {
    await app.stop();
  }
});

test('a device whose clock is always fast, its readings sent in bursts: every tick is taken as stamped, none a duplicate', async () => {
  const { app, rec, late } = await recorder();
  try {
    const t0 = Date.now() - 300_000;
    // Two bursts of 15 one-second readings from a clock 10 min fast, each burst sent at one moment.
    const records = Array.from({ length: 30 }, (_, k) => rec('fast-burst', t0 + 600_000 + k * 1000, t0 + (k < 15 ? 15_000 : 30_000), 20 + Math.sin(k)));
    await app.pipeline.handle(records);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.equal(await late(), 0);
    assert.doesNotMatch(metrics, /^tickcast_ticks_total\{result="duplicate"\} [1-9]/m);
    assert.equal(app.serving.getSeries('fast-burst')!.ticks, 30);
    assert.equal(app.serving.getSeries('fast-burst')!.lastTs, t0 + 600_000 + 29_000);
  } finally {
    await app.stop();
  }
});
