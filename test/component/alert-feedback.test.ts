/**
 * Alert feedback through the whole app: an alert gets an id; feedback over REST and MCP is
 * validated (4xx with clear messages, 404 for unknown ids), stored in the feedback log, and still
 * in effect after a restart — a maintenance span given before the restart holds back a spike of
 * that series after it, while the same spike on another series still alerts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestApp } from '../helpers/app.ts';
import type { App } from '../../src/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

/** N minutes of 4 quiet sine series from minute `from`, spikes (+80) at the given (series, minute). */
async function feed(app: App, from: number, n: number, spikes: Array<[number, number]>): Promise<void> {
  let offset = 0;
  for (let t = from; t < from + n; t += 100) {
    const records: RawRecord[] = [];
    for (let k = t; k < Math.min(t + 100, from + n); k++) {
      for (let s = 0; s < 4; s++) {
        let v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48 + s) + Math.sin(k * 12.9898 + s * 78.233) * 0.5;
        if (spikes.some(([ss, kk]) => ss === s && kk === k)) v += 80;
        records.push({ key: null, value: Buffer.from(JSON.stringify({ series: `m${s}`, ts: T0 + k * MIN, value: v })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
      }
    }
    await app.pipeline.handle(records);
  }
}

const firing = (sent: OutMessage[]) => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).filter((a) => a.kind === 'alert' && a.state === 'firing');

async function post(app: App, path: string, body: unknown, method = 'POST') {
  const res = await fetch(`${app.address()}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('feedback over REST and MCP, stored durably, in effect after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-feedback-'));
  const file = join(dir, 'feedback.jsonl');
  const overrides = { feedback: { file }, http: { allowUnauthenticatedMutations: true }, incidents: { groupBy: 'off' as const } };
  let sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  let app = await startTestApp(overrides, { sink, source: idleSource });
  try {
    await feed(app, 0, 700, [[2, 600], [3, 650]]);
    const alerts = firing(sent);
    const a2 = alerts.find((a) => a.series === 'm2' && a.ts === T0 + 600 * MIN);
    const a3 = alerts.find((a) => a.series === 'm3' && a.ts === T0 + 650 * MIN);
    assert.ok(a2 && a3, `both spikes alerted: ${JSON.stringify(alerts.map((a) => [a.series, (a.ts - T0) / MIN]))}`);
    assert.match(a2.id, /^[0-9a-f]{16}$/);
    const listed = (await (await fetch(`${app.address()}/v1/anomalies?series=m2`)).json()).items;
    assert.ok(listed.some((r: { id: string }) => r.id === a2.id), 'the id is on GET /v1/anomalies too');
    // The view that fired is on the topic record and survives the REST response schema.
    assert.equal(typeof a2.view, 'string', JSON.stringify(a2));
    assert.equal(listed.find((r: { id: string }) => r.id === a2.id).view, a2.view);

    // Refusals: clear messages, stable codes.
    const bad = await post(app, `/v1/anomalies/${a2.id}/feedback`, { verdict: 'meh' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /verdict must be one of "false_positive", "confirmed", "expected", "clear"/);
    const notExpected = await post(app, `/v1/anomalies/${a2.id}/feedback`, { verdict: 'confirmed', durationMs: 60_000 });
    assert.equal(notExpected.status, 400);
    assert.equal(notExpected.body.error.code, 'TC_FEEDBACK_INVALID');
    const unknown = await post(app, '/v1/anomalies/0123456789abcdef/feedback', { verdict: 'confirmed' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'TC_ALERT_NOT_FOUND');
    assert.equal((await post(app, '/v1/anomalies/bad%20id/feedback', { verdict: 'confirmed' })).status, 400);

    // m2: known maintenance for 7 days; m3: confirmed via MCP.
    const ok = await post(app, `/v1/anomalies/${a2.id}/feedback`, { verdict: 'expected', durationMs: 7 * 24 * 3_600_000, note: 'firmware rollout' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.feedback.untilTs, a2.ts + 7 * 24 * 3_600_000);
    assert.equal(ok.body.effect.suppressedUntil, a2.ts + 7 * 24 * 3_600_000);
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.address()!)));
    const res = await client.callTool({ name: 'give_alert_feedback', arguments: { alertId: a3.id, verdict: 'confirmed' } });
    assert.equal(res.isError, undefined, JSON.stringify(res.content));
    const mcpBad = await client.callTool({ name: 'give_alert_feedback', arguments: { alertId: 'ffffffffffffffff', verdict: 'confirmed' } });
    assert.equal(mcpBad.isError, true);
    assert.match(JSON.stringify(mcpBad.content), /TC_ALERT_NOT_FOUND/);
    await client.close();
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2, 'both on disk');
    const detail = (await (await fetch(`${app.address()}/v1/series/m2`)).json());
    assert.equal(detail.feedback.counts.expected, 1);
  } finally {
    await app.stop();
  }

  // Restart: same feedback file, fresh everything else.
  sent = [];
  app = await startTestApp(overrides, { sink, source: idleSource });
  try {
    const list = (await (await fetch(`${app.address()}/v1/feedback`)).json()).items;
    assert.deepEqual(list.map((e: { verdict: string; series: string; channel: string }) => [e.series, e.verdict, e.channel]), [['m3', 'confirmed', 'mcp'], ['m2', 'expected', 'http']]);
    const confirmed = (await (await fetch(`${app.address()}/v1/feedback?verdict=confirmed`)).json()).items;
    assert.deepEqual(confirmed.map((e: { series: string }) => e.series), ['m3']);
    await feed(app, 700, 700, [[2, 1300], [1, 1300]]);
    const after = firing(sent).map((a) => `${a.series}@${(a.ts - T0) / MIN}`);
    assert.ok(after.includes('m1@1300'), `the control spike alerted: ${after}`);
    assert.ok(!after.some((a) => a.startsWith('m2@')), `m2 is in maintenance: ${after}`);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /tickcast_alerts_suppressed_total\{reason="expected"\} [1-9]/);
    assert.match(metrics, /tickcast_feedback_entries 2/);

    // DELETE reverts (the alert is no longer indexed after the restart; its feedback still names it).
    const m2 = list.find((e: { series: string }) => e.series === 'm2');
    const del = await post(app, `/v1/anomalies/${m2.alertId}/feedback`, undefined, 'DELETE');
    assert.equal(del.status, 200);
    assert.equal(del.body.feedback, null);
    assert.equal(del.body.effect.suppressedUntil, null);
    assert.equal((await post(app, `/v1/anomalies/${m2.alertId}/feedback`, undefined, 'DELETE')).status, 404);
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
