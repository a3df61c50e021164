/**
 * Event time through the whole app, as a device fleet sends it: pauses, restarts on a new phase,
 * clocks that drift. Each test feeds the real pipeline (seeded model) and reads what comes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const MIN = 60_000;

/** An app over a sink that keeps what it is sent, and a record maker (sent when stamped). */
async function rig() {
  const sent: OutMessage[] = [];
  const app = await startTestApp({}, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  let offset = 0;
  const rec = (series: string, ts: number, value: number): RawRecord => ({
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ ts, value })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: ts,
  });
  const forecasts = () => sent.splice(0).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as { ts: number; horizon: Array<{ ts: number }> });
  return { app, rec, forecasts };
}

test('a device back from two hours offline on a new phase: its forecast steps stay a minute apart (the pause is not its spacing)', async () => {
  const { app, rec, forecasts } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 4 * 3_600_000;
    const before: RawRecord[] = [];
    for (let k = 0; k < 30; k++) before.push(rec('sensor', (t += MIN + (k % 2 ? 200 : -200)), 20 + Math.sin(k)));
    await app.pipeline.handle(before);
    assert.ok(forecasts().length > 0);
    t += 2 * 3_600_000 + 25_000; // offline, and its clock restarts 25 s off the old phase
    const after: RawRecord[] = [];
    for (let k = 0; k < 10; k++) after.push(rec('sensor', (t += MIN), 20 + Math.sin(k)));
    await app.pipeline.handle(after);
    const out = forecasts();
    assert.equal(out.length, 10);
    for (const f of out) {
      const steps = f.horizon.map((h, k) => h.ts - (k === 0 ? f.ts : f.horizon[k - 1].ts));
      assert.ok(steps.every((dt) => Math.abs(dt - MIN) < 1000), `steps ${steps.join(', ')} ms after ${new Date(f.ts).toISOString()}`);
    }
  } finally {
    await app.stop();
  }
});
