/**
 * A maintenance span (`expected` feedback) that a fault outlasts: the alert it held back, still
 * firing when the span ends, is sent then — once, with its real start and `heldUntilTs` — through
 * the whole app. Before, it stayed silent until it resolved and fired again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { App } from '../../src/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
let offset = 0;

/** Minutes [from, to) of 2 quiet sine series; `shift(s, k)` is added to series s at minute k. */
async function feed(app: App, from: number, to: number, shift: (s: number, k: number) => number): Promise<void> {
  for (let t = from; t < to; t += 100) {
    const records: RawRecord[] = [];
    for (let k = t; k < Math.min(t + 100, to); k++) {
      for (let s = 0; s < 2; s++) {
        const v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48 + s) + Math.sin(k * 12.9898 + s * 78.233) * 0.5 + shift(s, k);
        records.push({ key: null, value: Buffer.from(JSON.stringify({ series: `m${s}`, ts: T0 + k * MIN, value: v })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
      }
    }
    await app.pipeline.handle(records);
  }
}

const alerts = (sent: OutMessage[]) => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((a) => a.kind === 'alert' && a.series === 'm1');

test('an alert held back by a maintenance span and still firing when it ends is sent then, once, with its real start', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ http: { allowUnauthenticatedMutations: true }, incidents: { groupBy: 'off' as const } }, { sink, source: idleSource });
  try {
    await feed(app, 0, 600, (s, k) => (s === 1 && k === 500 ? 80 : 0));
    const first = alerts(sent).find((a) => a.state === 'firing' && a.ts === T0 + 500 * MIN);
    assert.ok(first, 'the spike alerted');
    // Maintenance from that alert to minute 615.
    const res = await fetch(`${app.address()}/v1/anomalies/${first.id}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'expected', durationMs: 115 * MIN }) });
    assert.equal(res.status, 200);
    sent.length = 0;
    // The maintenance breaks m1 at minute 605: it stays far off for good.
    await feed(app, 600, 700, (s, k) => (s === 1 && k >= 605 ? 400 : 0));
    const out = alerts(sent);
    const firings = out.filter((a) => a.state === 'firing');
    assert.ok(firings.length >= 1, `the alert outlasting the span is sent: ${JSON.stringify(out.map((a) => [a.state, (a.ts - T0) / MIN, a.heldUntilTs && (a.heldUntilTs - T0) / MIN]))}`);
    const late = firings[0];
    assert.equal(late.heldUntilTs, T0 + 616 * MIN, 'on the first tick after the span');
    assert.ok(late.ts >= T0 + 605 * MIN && late.ts <= T0 + 615 * MIN, 'with its real start, inside the span');
    assert.equal(firings.filter((a) => a.heldUntilTs !== undefined).length, 1, 'once');
    assert.equal(out.filter((a) => a.state === 'resolved' && a.ts < late.heldUntilTs).length, 0, 'no resolve of it before it was sent');
  } finally {
    await app.stop();
  }
});
