/**
 * windows.openHours through the whole app: with 'auto' (the default) the service's window store
 * learns a feed's open hours when the model it serves at start was trained on rows with closures
 * (its training metadata's `data.closures`, as `tickcast train` records them) — then a market's
 * nights are not filled into the window and forecast steps are stamped with the next open hours —
 * and fills them otherwise (the seeded model here, like the shipped one, has no such record), its
 * forecasts then naming the steps that fall in the nights (`closedSteps`, stream and REST).
 * 'off' overrides the record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp } from '../helpers/app.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import type { OutMessage, TickSource } from '../../src/pipeline/ports.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const MONDAY = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

/** Hourly bars of a market open 06:00–23:59 UTC for 3 days and 4 hours; the filled readings' hours in the window (16 slots: the last night in it). */
interface Seen {
  filled: number[];
  stepHours: number[];
  closedHours?: number[];
  /** The forecast record's closedSteps, and POST /v1/predict's for the series at 22:00 on day 4 (GET /v1/series' last forecast: the same). */
  closedSteps?: number[];
  predictClosedSteps?: number[];
}

async function filledHours(dir: string, openHours?: 'auto' | 'on' | 'off'): Promise<Seen> {
  const sent: OutMessage[] = [];
  const app = await startTestApp({ model: { dir }, finetune: { enabled: false }, ...(openHours ? { windows: { openHours } } : {}) }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  const feed = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) {
      if (i % 24 < 6) continue;
      const body = JSON.stringify({ series: 'm', ts: MONDAY + i * HOUR, value: 100 + (i % 24) });
      await app.pipeline.handle([{ key: Buffer.from('m'), value: Buffer.from(body), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(i) }, receivedAtMs: Date.now() }]);
    }
  };
  try {
    await feed(0, 24 * 3 + 10);
    const r = app.store.recent('m')!;
    // The forecast made at 22:00 on day 2: its steps' hours, and those in closed hours.
    const at = MONDAY + (2 * 24 + 22) * HOUR;
    const f = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as { ts: number; horizon: { ts: number }[]; closedSteps?: number[] }).find((x) => x.ts === at)!;
    // The series view says which hours the series is closed in (when they are learned).
    const view = await app.http!.inject({ method: 'GET', url: '/v1/series/m' });
    assert.equal(view.statusCode, 200);
    const closedHours = (view.json() as { window: { closedHours?: number[] } }).window.closedHours;
    const filled = r.filled.map((k) => new Date(r.ts[k]).getUTCHours());
    await feed(24 * 3 + 10, 24 * 3 + 23);
    const predicted = await app.http!.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'm', horizon: 4 } });
    assert.equal(predicted.statusCode, 200, predicted.body);
    const p = predicted.json() as { closedSteps?: number[] };
    const last = ((await app.http!.inject({ method: 'GET', url: '/v1/series/m' })).json() as { lastForecast: { closedSteps?: number[] } }).lastForecast;
    assert.deepEqual(last.closedSteps, p.closedSteps, 'the series view names the same steps of its last forecast');
    return { filled, stepHours: f.horizon.map((h) => new Date(h.ts).getUTCHours()), ...(closedHours ? { closedHours } : {}), ...(f.closedSteps ? { closedSteps: f.closedSteps } : {}), ...(p.closedSteps ? { predictClosedSteps: p.closedSteps } : {}) };
  } finally {
    await app.stop();
  }
}

test('windows.openHours auto: a model trained on rows with closures is served windows without the nights filled; the seeded model gets them filled', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tickcast-open-hours-'));
  try {
    // v1: the seeded model the test app saves at its first start (no training data recorded).
    const plain = await filledHours(dir);
    assert.deepEqual(plain, { filled: [0, 1, 2, 3, 4, 5], stepHours: [23, 0, 1, 2], closedSteps: [2, 3, 4], predictClosedSteps: [2, 3, 4] }, 'the last night filled for the seeded model; forecast steps every hour, those in the night marked closed');
    // v2: the same weights, recorded as trained on a file with closures (as `tickcast train` writes it).
    const store = new CheckpointStore({ dir, keep: 5 });
    const v1 = await store.load('v1');
    await store.save({ config: v1.config, spec: v1.spec, weights: v1.weights, meta: { ...v1.meta, data: { path: 'bars.csv', closures: { late: 60, closed: 58 } } } });
    const nights = Array.from({ length: 168 }, (_, w) => w).filter((w) => w % 24 < 6);
    assert.deepEqual(await filledHours(dir), { filled: [], stepHours: [23, 6, 7, 8], closedHours: nights }, 'auto: no night filled; forecast steps at the next open hours; the series view names the closed hours');
    assert.deepEqual(await filledHours(dir, 'off'), plain, "'off' overrides the record");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
