/**
 * The newest record of an alert on GET /v1/anomalies is often its `resolved` record. It names the
 * firing record it closes (`firingId`, kept by the REST response schema), and feedback given on the
 * resolved record's own id applies to that firing alert (before 6 Dec 2026: a 404 whose hint said
 * to use the firing record's id, which the resolved record did not name). Through the real app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

test('feedback on a resolved record\'s id applies to the firing alert it names (firingId)', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ http: { allowUnauthenticatedMutations: true }, incidents: { groupBy: 'off' } }, { sink, source: idleSource });
  try {
    let offset = 0;
    for (let t = 0; t < 700; t += 100) {
      const records: RawRecord[] = [];
      for (let k = t; k < t + 100; k++) {
        const v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5 + (k === 600 ? 80 : 0);
        records.push({ key: null, value: Buffer.from(JSON.stringify({ series: 'm0', ts: T0 + k * MIN, value: v })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
      }
      await app.pipeline.handle(records);
    }
    const http = app.http!;
    const items = (await http.inject({ url: '/v1/anomalies?series=m0&limit=50' })).json().items as Array<Record<string, any>>;
    const resolved = items[0];
    const fired = items.find((r) => r.state === 'firing' && r.ts <= resolved.ts);
    assert.ok(fired && resolved.state === 'resolved', `the spike fired and resolved: ${JSON.stringify(items.map((r) => [r.state, (r.ts - T0) / MIN]))}`);
    assert.equal(resolved.firingId, fired.id, 'the resolved record names its firing record on GET /v1/anomalies');
    const topic = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).find((r) => r.id === resolved.id);
    assert.equal(topic.firingId, fired.id, 'and on the anomalies topic');

    const res = await http.inject({ method: 'POST', url: `/v1/anomalies/${resolved.id}/feedback`, payload: { verdict: 'confirmed' } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual([body.alertId, body.resolvedId, body.feedback.alertId, body.feedback.alertTs], [fired.id, resolved.id, fired.id, fired.ts]);
    const listed = (await http.inject({ url: '/v1/feedback?series=m0' })).json().items;
    assert.deepEqual(listed.map((e: { alertId: string }) => e.alertId), [fired.id], 'one entry, on the firing alert');
    const cleared = await http.inject({ method: 'DELETE', url: `/v1/anomalies/${resolved.id}/feedback` });
    assert.deepEqual([cleared.statusCode, cleared.json().alertId, cleared.json().resolvedId], [200, fired.id, resolved.id]);
  } finally {
    await app.stop();
  }
});
