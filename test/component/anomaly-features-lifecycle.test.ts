/**
 * Alerts per feature end to end (issue 13), through the real app: two features of one series fire
 * and resolve at different times, each with its own record, id and resolve; the series API shows
 * which fire; a false positive given over REST on one feature's alert names that feature and
 * raises the bar for it only (GET /v1/feedback lists the feature).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const CPU_AT = 600;
const MEM_AT = 640;

function chunk(from: number, to: number, offset: { n: number }): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    let cpu = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
    let mem = 20 + 3 * Math.cos((2 * Math.PI * k) / 96) + Math.sin(k * 78.233) * 0.2;
    if (k === CPU_AT) cpu += 60;
    if (k === MEM_AT) mem += 40;
    const value = Buffer.from(JSON.stringify({ series: 'h1', ts: T0 + k * MIN, values: { cpu, mem } }));
    out.push({ key: Buffer.from('h1'), value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset.n++) }, receivedAtMs: Date.now() });
  }
  return out;
}

test('two features fire and resolve at different times; the series state and feedback name the feature', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ input: { features: ['cpu', 'mem'], targets: ['cpu'] }, anomaly: { features: 'all' }, http: { allowUnauthenticatedMutations: true }, incidents: { groupBy: 'off' } }, { sink, source: idleSource });
  try {
    const offset = { n: 0 };
    const states: Record<number, string[]> = {};
    for (const [a, b] of [[0, 300], [300, CPU_AT + 1], [CPU_AT + 1, MEM_AT + 1], [MEM_AT + 1, 700]]) {
      await app.pipeline.handle(chunk(a, b, offset));
      states[b] = app.serving.listSeries({ offset: 0, limit: 10 }).items.find((s) => s.id === 'h1')?.anomalyFeatures ?? [];
    }
    const recs = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as Record<string, any>);
    const show = recs.map((r) => `${r.feature}:${r.state}@${(r.ts - T0) / MIN}`);
    const cpu = recs.filter((r) => r.feature === 'cpu');
    const mem = recs.filter((r) => r.feature === 'mem');
    assert.ok(cpu.some((r) => r.state === 'firing' && r.ts === T0 + CPU_AT * MIN), `cpu fired at its spike: ${show}`);
    assert.ok(mem.some((r) => r.state === 'firing' && r.ts === T0 + MEM_AT * MIN), `mem fired at its spike: ${show}`);
    assert.ok(!mem.some((r) => r.ts === T0 + CPU_AT * MIN) && !cpu.some((r) => r.ts === T0 + MEM_AT * MIN), `each spike fires its own feature only: ${show}`);
    for (const f of [cpu, mem]) assert.equal(f.at(-1)?.state, 'resolved', `each feature resolves on its own: ${show}`);
    assert.ok(states[CPU_AT + 1].includes('cpu') && !states[CPU_AT + 1].includes('mem'), `after the cpu spike: ${states[CPU_AT + 1]}`);
    assert.deepEqual(states[700], [], 'both resolved');
    assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'every transition has its own id');

    // A false positive on the mem alert, over REST: the entry names mem.
    const memAlert = mem.find((r) => r.state === 'firing')!;
    const res = await fetch(`${app.address()}/v1/anomalies/${memAlert.id}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'false_positive' }) });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { feedback: { feature?: string } };
    assert.equal(body.feedback.feature, 'mem');
    const listed = (await (await fetch(`${app.address()}/v1/feedback?series=h1`)).json()) as { items: Array<{ feature?: string }> };
    assert.deepEqual(listed.items.map((e) => e.feature), ['mem'], 'GET /v1/feedback lists the feature');
  } finally {
    await app.stop();
  }
});
