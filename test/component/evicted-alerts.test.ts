/**
 * A series evicted while its alert fires (idle, or at windows.maxSeries) gets a `resolved` record
 * with `reason: "evicted"`: its alert state is gone, so without one a downstream incident tool kept
 * the alert open forever. A series handed to another instance (partition released) gets none: the
 * new owner carries the alert on. Driven through the real app, as anomaly-alerts.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import { alertId } from '../../src/domain/alerts/alert-id.ts';
import type { App } from '../../src/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const t0 = Date.UTC(2025, 0, 1);
const SPIKE = 800;

function value(s: number, k: number): number {
  const v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48 + s) + Math.sin(k * 12.9898 + s * 78.233) * 0.5;
  return s === 2 && k >= SPIKE ? v + 80 : v; // m2 steps up and stays up: its alert keeps firing
}

interface Harness {
  app: App;
  sent: OutMessage[];
  /** Ticks k0…k1−1 of series `ids` (in that order per tick). */
  feed(k0: number, k1: number, ids: number[]): Promise<void>;
  alerts(): Array<Record<string, any>>;
}

async function harness(overrides: ConfigInput = {}): Promise<Harness> {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp(overrides, { sink, source: idleSource });
  let offset = 0;
  return {
    app,
    sent,
    async feed(k0, k1, ids) {
      const records: RawRecord[] = [];
      for (let k = k0; k < k1; k++) {
        for (const s of ids) {
          records.push({ key: Buffer.from(`m${s}`), value: Buffer.from(JSON.stringify({ series: `m${s}`, ts: t0 + k * 60_000, value: value(s, k) })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        }
      }
      for (let i = 0; i < records.length; i += 100) await app.pipeline.handle(records.slice(i, i + 100));
    },
    alerts: () => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert'),
  };
}

const ALL = [0, 1, 2, 3, 4, 5];

/** m2 fires at the step and is still firing at tick SPIKE + 5. */
async function firingM2(h: Harness): Promise<Record<string, any>> {
  await h.feed(0, SPIKE + 6, ALL);
  const m2 = h.alerts().filter((a) => a.series === 'm2');
  const fired = m2.find((a) => a.state === 'firing');
  assert.ok(fired, `m2 fired (its records: ${JSON.stringify(m2.map((a) => [a.state, (a.ts - t0) / 60_000]))})`);
  assert.equal(m2.at(-1)!.state, 'firing', 'm2 is still firing');
  assert.equal(h.app.serving.getSeries('m2')?.anomalyState, 'firing');
  return m2.at(-1)!;
}

test('a series evicted idle while firing gets a resolved record (reason evicted), once, counted', async () => {
  const h = await harness();
  try {
    const last = await firingM2(h);
    const before = h.alerts().length;
    const quietFiring = new Set(h.alerts().filter((a) => a.state === 'firing').map((a) => a.series));
    h.app.store.evictIdle(Date.now() + 10 * h.app.config.windows.idleEvictMs); // every series idle
    await h.feed(SPIKE + 6, SPIKE + 7, [7]); // the next chunk carries the records out
    const after = h.alerts().slice(before);
    const m2 = after.filter((a) => a.series === 'm2');
    assert.equal(m2.length, 1, `one record for m2: ${JSON.stringify(after)}`);
    const r = m2[0];
    assert.equal(r.state, 'resolved');
    assert.equal(r.reason, 'evicted');
    assert.equal(r.eviction, 'idle');
    assert.equal(r.feature, last.feature);
    assert.equal(r.severity, last.severity, 'the severity of the alert it resolves');
    assert.equal(r.ts, t0 + (SPIKE + 5) * 60_000, 'event time of the series\' last tick');
    assert.equal(r.value, value(2, SPIKE + 5), 'the last value seen');
    assert.equal(r.id, alertId('m2', r.ts, 'resolved', r.severity, r.feature));
    assert.equal(r.view, undefined);
    // Only series whose alert was open resolve; those that never fired (or resolved) get nothing.
    for (const a of after) assert.ok(quietFiring.has(a.series) && a.reason === 'evicted', `unexpected record ${JSON.stringify(a)}`);
    const metrics = await (await fetch(`${h.app.address()}/metrics`)).text();
    const resolved = h.alerts().filter((a) => a.state === 'resolved').length;
    const counted = [...metrics.matchAll(/^tickcast_anomalies_resolved_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(counted, resolved, 'tickcast_anomalies_resolved_total counts every resolved record published');
    const evictedCount = [...metrics.matchAll(/^tickcast_anomalies_resolved_total\{[^}]*reason="evicted"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(evictedCount, h.alerts().filter((a) => a.state === 'resolved' && a.reason === 'evicted').length, 'the evicted ones under reason="evicted"');
    const api = (await (await fetch(`${h.app.address()}/v1/anomalies?series=m2&limit=5`)).json()) as { items: Array<Record<string, unknown>> };
    assert.ok(api.items.some((a) => a.reason === 'evicted' && a.eviction === 'idle'), `GET /v1/anomalies shows it: ${JSON.stringify(api.items)}`);
    // Back after the eviction, m2 starts afresh: nothing more resolves its old alert.
    await h.feed(SPIKE + 7, SPIKE + 40, [2]);
    assert.equal(h.alerts().filter((a) => a.series === 'm2' && a.state === 'resolved').length, 1);
  } finally {
    await h.app.stop();
  }
});

test('a series evicted at windows.maxSeries while firing gets a resolved record (eviction cap)', async () => {
  const h = await harness({ windows: { maxSeries: 6 } });
  try {
    await firingM2(h);
    await h.feed(SPIKE + 6, SPIKE + 7, [0, 1, 3, 4, 5]); // m2 is now the least recently seen
    const before = h.alerts().length;
    await h.feed(SPIKE + 7, SPIKE + 8, [6]); // a new series takes m2's place
    const after = h.alerts().slice(before);
    assert.deepEqual(after.map((a) => [a.series, a.state, a.reason, a.eviction]), [['m2', 'resolved', 'evicted', 'cap']]);
  } finally {
    await h.app.stop();
  }
});

test('a series removed (its partition went to another instance) while firing gets no resolved record', async () => {
  const h = await harness();
  try {
    await firingM2(h);
    const before = h.alerts().length;
    h.app.store.delete('m2');
    await h.feed(SPIKE + 6, SPIKE + 7, [0]);
    assert.deepEqual(h.alerts().slice(before).filter((a) => a.series === 'm2'), []);
  } finally {
    await h.app.stop();
  }
});

test('a series evicted idle while firing with no chunk after it (the whole feed went quiet) gets its resolved record at the latest when the service stops, not never', async () => {
  const h = await harness();
  try {
    await firingM2(h);
    const before = h.alerts().length;
    h.app.store.evictIdle(Date.now() + 10 * h.app.config.windows.idleEvictMs); // as the idle loop does; no record comes after
    await h.app.stop();
    const after = h.alerts().slice(before).filter((a) => a.series === 'm2');
    assert.deepEqual(after.map((a) => [a.state, a.reason, a.eviction]), [['resolved', 'evicted', 'idle']]);
  } finally {
    await h.app.stop();
  }
});
