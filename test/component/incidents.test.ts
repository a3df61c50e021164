/**
 * Grouped incidents through the whole app: spikes on two series of one host (a tick label) a few
 * minutes apart become one incident record on the anomalies stream listing both alerts; a spike on
 * another host does not join; the incident closes after the span of quiet; REST and MCP list it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const SERIES = [['cpu-a', 'a'], ['mem-a', 'a'], ['cpu-b', 'b']] as const;

test('alerts of one host within the span become one incident record, listed over REST and MCP', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'label', label: 'host', spanMs: 5 * 60_000 } }, { sink, source: idleSource });
  try {
    const t0 = Date.UTC(2025, 0, 1);
    const spikes: Record<string, number> = { 'cpu-a': 600, 'mem-a': 602, 'cpu-b': 601 };
    let offset = 0;
    for (let k = 0; k < 700; k += 50) {
      const recs: RawRecord[] = [];
      for (let i = k; i < k + 50; i++) {
        SERIES.forEach(([id, host], s) => {
          let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
          if (spikes[id] === i) v += 80;
          recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: id, ts: t0 + i * 60_000, value: v, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        });
      }
      await app.pipeline.handle(recs);
    }
    const records = sent.filter((m) => m.stream === 'anomalies').map((m) => ({ key: String(m.key), body: JSON.parse(String(m.value)) }));
    const alerts = records.filter((r) => r.body.kind === 'alert' && r.body.state === 'firing').map((r) => r.body);
    const a = (id: string) => alerts.find((x) => x.series === id && x.ts === t0 + spikes[id] * 60_000);
    assert.ok(a('cpu-a') && a('mem-a') && a('cpu-b'), `all three spikes alerted: ${JSON.stringify(alerts.map((x) => [x.series, (x.ts - t0) / 60_000]))}`);
    const incidents = records.filter((r) => r.body.kind === 'incident');
    assert.ok(incidents.length >= 2, `opened and closed: ${JSON.stringify(incidents.map((r) => r.body.state))}`);
    const opened = incidents[0].body;
    assert.equal(incidents[0].key, opened.id, 'keyed by incident id');
    assert.equal(opened.group, 'a');
    assert.equal(opened.groupBy, 'label:host');
    assert.deepEqual(opened.series, ['cpu-a', 'mem-a']);
    assert.deepEqual(opened.alerts.map((m: { id: string }) => m.id), [a('cpu-a').id, a('mem-a').id], 'members are the alert records by id');
    const open = sent.findIndex((m) => m.stream === 'anomalies' && JSON.parse(String(m.value)).kind === 'incident');
    const memAlert = sent.findIndex((m) => m.stream === 'anomalies' && JSON.parse(String(m.value)).id === a('mem-a').id);
    assert.ok(open > memAlert, 'the incident follows the alert that completed it');
    const closed = incidents[incidents.length - 1].body;
    assert.equal(closed.state, 'closed');
    assert.equal(closed.id, opened.id);
    assert.ok(!incidents.some((r) => r.body.series.includes('cpu-b')), 'host b alone is no incident');

    const rest = (await (await fetch(`${app.address()}/v1/incidents`)).json()).items;
    assert.deepEqual(rest.map((r: { id: string; state: string }) => [r.id, r.state]), [[opened.id, 'closed']]);
    assert.equal((await fetch(`${app.address()}/v1/incidents?state=maybe`)).status, 400);
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.address()!)));
    const res = await client.callTool({ name: 'list_incidents', arguments: { group: 'a' } });
    assert.deepEqual((res.structuredContent as { items: { id: string }[] }).items.map((r) => r.id), [opened.id]);
    await client.close();
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /tickcast_incidents_total\{state="closed"\} 1/);
  } finally {
    await app.stop();
  }
});

test('one tick from a device clock 10 min fast does not move the instance\'s event time: alerts of one host 2 min apart still make one incident', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'label', label: 'host', spanMs: 5 * 60_000 } }, { sink, source: idleSource });
  try {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 700 * 60_000;
    const spikes: Record<string, number> = { 'cpu-a': 600, 'mem-a': 602 };
    let offset = 0;
    const rec = (series: string, host: string, ts: number, sentAt: number, value: number): RawRecord => ({ key: null, value: Buffer.from(JSON.stringify({ series, ts, value, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: sentAt });
    // Chunks of 50 minutes, then one a minute around the spikes (incidents close between chunks).
    for (let k = 0; k < 700; k += k < 550 ? 50 : 1) {
      const recs: RawRecord[] = [];
      for (let i = k; i < (k < 550 ? k + 50 : k + 1); i++) {
        SERIES.forEach(([id, host], s) => {
          let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
          if (spikes[id] === i) v += 80;
          recs.push(rec(id, host, t0 + i * 60_000, t0 + i * 60_000, v));
        });
        recs.push(rec('clock-x', 'x', t0 + i * 60_000 + (i === 601 ? 10 * 60_000 : 0), t0 + i * 60_000, 20));
      }
      await app.pipeline.handle(recs);
    }
    const bodies = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
    const alerted = bodies.filter((b) => b.kind === 'alert' && b.state === 'firing' && b.ts === t0 + spikes[b.series] * 60_000).map((b) => b.series);
    assert.deepEqual(alerted.sort(), ['cpu-a', 'mem-a'], 'both spikes alerted');
    const incidents = bodies.filter((b) => b.kind === 'incident' && b.group === 'a');
    assert.ok(incidents.length > 0, 'host a has an incident');
    assert.deepEqual(incidents[0].series, ['cpu-a', 'mem-a'], 'one incident with both alerts');
  } finally {
    await app.stop();
  }
});
