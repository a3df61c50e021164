/**
 * Band quality through the whole app: the coverage and pinball loss the service reports for a
 * series equal what a reader recomputes from the forecasts it published and the ticks that came
 * next; REST (series detail, overview) and /metrics agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('coverage and pinball loss per series match a recomputation from the published forecasts', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ bandQuality: { windowTicks: 1000, minTicks: 20, topK: 1 } }, { sink, source: idleSource });
  try {
    const t0 = Date.UTC(2025, 0, 1);
    const N = 300;
    const value = (s: number, k: number) => 50 + (10 + 20 * s) * Math.sin((2 * Math.PI * k) / 24) + 3 * Math.sin(k * 12.9898 + s);
    let offset = 0;
    for (let k = 0; k < N; k += 50) {
      const recs: RawRecord[] = [];
      for (let i = k; i < k + 50; i++) {
        for (let s = 0; s < 2; s++) recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: `b${s}`, ts: t0 + i * 60_000, value: value(s, i) })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
      }
      await app.pipeline.handle(recs);
    }
    for (const s of [0, 1]) {
      const fc = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value))).filter((f) => f.series === `b${s}` && !String(f.model).startsWith('baseline:')); // band quality judges the model's forecasts
      let hits = 0;
      let loss = 0;
      let n = 0;
      for (const f of fc) {
        const next = (f.horizon[0].ts - t0) / 60_000;
        if (next >= N) continue;
        const y = value(s, next);
        const st = f.horizon[0];
        if (y >= st.p10 && y <= st.p90) hits++;
        loss += ([[0.1, st.p10], [0.5, st.p50], [0.9, st.p90]] as const).reduce((a, [q, p]) => a + (y >= p ? q * (y - p) : (q - 1) * (y - p)), 0) / 3;
        n++;
      }
      const detail = await (await fetch(`${app.address()}/v1/series/b${s}`)).json();
      const bq = detail.bandQuality;
      assert.ok(bq, 'GET /v1/series/{id} includes bandQuality');
      assert.equal(bq.ticks, n);
      assert.equal(bq.coverage, Math.round((hits / n) * 1e4) / 1e4);
      assert.ok(Math.abs(bq.pinball - loss / n) / (loss / n) < 1e-4, `pinball ${bq.pinball} vs ${loss / n}`);
      assert.equal(bq.nominal, 0.8);
      assert.ok(bq.scaledPinball > 0);
    }
    const overview = await (await fetch(`${app.address()}/v1/band-quality?limit=1`)).json();
    assert.equal(overview.series, 2);
    assert.equal(overview.worst.length, 1);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /tickcast_band_coverage_series\{at_most="\+Inf"\} 2\n/);
    assert.equal((metrics.match(/^tickcast_band_coverage\{series=/gm) ?? []).length, 1, 'top-k bounded to 1');
    assert.match(metrics, new RegExp(`tickcast_band_coverage\\{series="${overview.worst[0].series}"\\} ${overview.worst[0].coverage}`));
    // The agent tool answers the same as the route.
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.address()!)));
    try {
      const res = await client.callTool({ name: 'band_quality', arguments: { limit: 1 } });
      assert.equal(res.isError, undefined);
      assert.deepEqual(res.structuredContent, overview);
    } finally {
      await client.close();
    }
  } finally {
    await app.stop();
  }
});
