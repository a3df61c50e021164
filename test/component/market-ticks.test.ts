/**
 * A quant's feed through the whole app (docs/schemas.md § Market data: trades in one millisecond,
 * halts, prices (decided 7 Dec 2026)): symbols the default series pattern refuses get a dead
 * letter whose reason offers a pattern, and with that pattern they are served over REST; trades
 * in one millisecond keep the last trade under duplicatePolicy replace (volume not summed); every
 * forecast — cold baseline, model, fused baseline, REST — has ordered quantiles and steps after
 * its tick, through bursts and a halt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 6, 14, 30);
const input = { features: ['price', 'volume'], nonNegative: ['volume'], maxFutureMs: 0 };

function record(series: string, ts: number, values: Record<string, number>, offset: number): RawRecord {
  return { key: Buffer.from(series), value: Buffer.from(JSON.stringify({ series, ts, values })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset) }, receivedAtMs: Date.now() };
}

/** 120 trades per symbol: bursts (three trades in one ms, then 1 ms apart), quiet seconds, a 30-minute halt at trade 80 reopening 8 % higher. */
function trades(symbols: string[]): RawRecord[] {
  const out: RawRecord[] = [];
  let ts = T0;
  let price = 100;
  for (let k = 0; k < 120; k++) {
    ts += k % 6 === 0 ? 2_000 : 1;
    if (k === 80) [ts, price] = [ts + 30 * 60_000, price * 1.08];
    price *= 1 + 0.0005 * (((k * 7) % 5) - 2);
    const same = k % 6 === 1 ? 3 : 1; // trades at one ts: volumes 10, 20, 30, the last price highest
    for (let j = 0; j < same; j++) for (const s of symbols) out.push(record(s, ts, { price: price + 0.01 * j, volume: 10 * (j + 1) }, out.length));
  }
  return out;
}

const orderedSteps = (f: { ts: number; horizon: Array<Record<string, number>> }) =>
  f.horizon.every((s, i) => s.ts > (i === 0 ? f.ts : f.horizon[i - 1].ts)) &&
  f.horizon.every((s) => { const q = Object.keys(s).filter((k) => /^p\d/.test(k)).map((k) => s[k]); return q.every((v, i) => i === 0 || q[i - 1] <= v); });

test('market symbols, same-millisecond trades and a halt: refused ids say how to allow them; forecasts stay ordered', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const strict = await startTestApp({ input }, { sink, source: idleSource });
  let pattern: string;
  try {
    await strict.pipeline.handle([record('ES=F', T0, { price: 1, volume: 0 }, 0)]);
    const reason = String(sent.find((m) => m.stream === 'dlq')!.headers!['tickcast-error-message']);
    assert.match(reason, /"=" is not allowed; to take such ids set input\.seriesPattern \(TICKCAST_INPUT_SERIES_PATTERN\)/);
    pattern = /e\.g\. (\S+),/.exec(reason)![1].replace('=', '=\\^'); // the offered pattern, and ^ for an index
  } finally {
    await strict.stop();
  }

  sent.length = 0;
  const app = await startTestApp({ input: { ...input, seriesPattern: pattern }, windows: { duplicatePolicy: 'replace' } }, { sink, source: idleSource });
  try {
    const symbols = ['ES=F', '^GSPC', 'BRK.B'];
    const records = trades(symbols);
    for (let i = 0; i < records.length; i += 40) await app.pipeline.handle(records.slice(i, i + 40));
    assert.deepEqual(sent.filter((m) => m.stream === 'dlq'), [], 'every symbol is taken');

    const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
    const kinds = new Set(forecasts.map((f) => (f.replaces ? 'fused' : f.model.startsWith('baseline:') ? 'cold' : 'model')));
    assert.deepEqual([...kinds].sort(), ['cold', 'fused', 'model']);
    for (const f of forecasts) assert.ok(orderedSteps(f), `${f.series} ${f.model} at ${f.ts}: ${JSON.stringify(f.horizon)}`);

    for (const id of ['ES=F', '%5EGSPC']) {
      const res = await fetch(`${app.address()}/v1/series/${id}`);
      assert.equal(res.status, 200, id);
      const { window } = await res.json();
      // Trade 115 came as three trades at one ts: the window holds the last (volume 30, not 60 summed).
      const at = window.ts.indexOf(JSON.parse(String(records.findLast((r) => r.key!.toString() === 'BRK.B' && JSON.parse(String(r.value)).values.volume === 30)!.value)).ts);
      assert.equal(window.values.volume[at], 30);
    }
    const res = await fetch(`${app.address()}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ series: '^GSPC' }) });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.ok(orderedSteps({ ts: Math.max(...records.map((r) => JSON.parse(String(r.value)).ts)), horizon: body.horizon }), JSON.stringify(body.horizon));
  } finally {
    await app.stop();
  }
});
