/**
 * The audit trail of alert feedback records who the server authenticated (`actor`), not who the
 * caller says it is (`by`, kept as the caller's free text): over REST, MCP and the feedback topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { FeedbackService, type FeedbackLogOp, topicRecord } from '../../../src/pipeline/feedback-service.ts';
import { decodeFeedbackRecord } from '../../../src/pipeline/feedback-intake.ts';
import type { AnomalyRecord } from '../../../src/pipeline/ports.ts';
import { build, KEY } from './support/build.ts';
import { TrendServing } from './support/trend-serving.ts';

const alert = (id: string): AnomalyRecord =>
  ({ kind: 'alert', id, series: 'web-1', ts: 1000, value: 9, expected: 1, lower: 0, upper: 2, score: 0.9, severity: 'critical', state: 'firing', model: 'm', view: 'forecast' });

function servingWithFeedback() {
  const index = new AlertIndex(10);
  for (const id of ['0000000000000001', '0000000000000002', '0000000000000003']) index.add(alert(id));
  const stored: FeedbackLogOp[] = [];
  const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  const feedback = new FeedbackService({ policy, index, store: { load: async () => [], append: async (op) => void stored.push(op) }, expectedSpanMs: 60_000 });
  const serving = new TrendServing() as TrendServing & { feedback: FeedbackService };
  Object.defineProperty(serving, 'feedback', { value: feedback });
  return { serving, stored };
}

test('REST feedback records the key that authenticated it as the actor, whatever "by" claims', async () => {
  const { serving, stored } = servingWithFeedback();
  const { app, lines } = await build({ apiKeys: [KEY] }, serving);
  try {
    const res = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers: { authorization: `Bearer ${KEY}` }, payload: { verdict: 'confirmed', by: 'the-ceo' } });
    assert.equal(res.statusCode, 200, res.body);
    const fb = res.json().feedback;
    assert.match(fb.actor, /^key:[0-9a-f]{12}$/, 'the response names the authenticated key');
    assert.equal(fb.by, 'the-ceo', 'the caller\'s own words are kept, as free text');
    const entry = (stored[0] as { entry: { actor?: string; by?: string } }).entry;
    assert.equal(entry.actor, fb.actor, 'the stored audit trail names the key');
    const listed = (await app.inject({ url: '/v1/feedback', headers: { authorization: `Bearer ${KEY}` } })).json().items;
    assert.equal(listed[0].actor, fb.actor);
    assert.ok(lines.some((l) => l.includes('"msg":"alert feedback"') && l.includes(`"actor":"${fb.actor}"`)), 'the audit log line names the key');
    // Without "by", "by" still defaults to the key (unchanged behaviour).
    const plain = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000002/feedback', headers: { authorization: `Bearer ${KEY}` }, payload: { verdict: 'false_positive' } });
    assert.equal(plain.json().feedback.by, fb.actor);
    // A caller cannot set the actor itself.
    const forged = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000003/feedback', headers: { authorization: `Bearer ${KEY}` }, payload: { verdict: 'confirmed', actor: 'key:000000000000' } });
    assert.equal(forged.statusCode, 400);
    const del = await app.inject({ method: 'DELETE', url: '/v1/anomalies/0000000000000001/feedback', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(del.statusCode, 200);
    assert.ok(lines.some((l) => l.includes('"verdict":"clear"') && l.includes(`"actor":"${fb.actor}"`)), 'a withdrawal is logged with its actor too');
  } finally {
    await app.close();
  }
});

test('MCP feedback records the key as the actor, even when the arguments claim another "by"', async () => {
  const { serving, stored } = servingWithFeedback();
  const { app, lines } = await build({ apiKeys: [KEY] }, serving);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 't', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
  try {
    const res = await client.callTool({ name: 'give_alert_feedback', arguments: { alertId: '0000000000000001', verdict: 'confirmed', by: 'someone-else' } });
    assert.equal(res.isError, undefined, JSON.stringify(res));
    const fb = (res.structuredContent as { feedback: { actor: string; by: string } }).feedback;
    assert.match(fb.actor, /^key:[0-9a-f]{12}$/);
    assert.equal(fb.by, 'someone-else');
    const cleared = await client.callTool({ name: 'give_alert_feedback', arguments: { alertId: '0000000000000001', verdict: 'clear' } });
    assert.equal(cleared.isError, undefined, JSON.stringify(cleared));
    const audit = lines.filter((l) => l.includes('"msg":"alert feedback"') && l.includes('"module":"mcp"') && l.includes(`"actor":"${fb.actor}"`));
    assert.deepEqual(audit.map((l) => JSON.parse(l).verdict), ['confirmed', 'clear'], 'each MCP change is logged with its actor, as REST ones are');
    assert.deepEqual(stored.at(-1), { op: 'clear', alertId: '0000000000000001', at: (stored.at(-1) as { at: number }).at, actor: fb.actor, channel: 'mcp' }, 'and stored with it');
  } finally {
    await client.close();
    await app.close();
  }
});

test('the feedback topic carries the actor to the other instances; a record without one records none', () => {
  const rec = topicRecord({ alertId: 'a', series: 's', alertTs: 1, score: 0.5, verdict: 'confirmed', by: 'x', actor: 'key:abcdef012345', channel: 'http', at: 2 });
  assert.equal(rec.actor, 'key:abcdef012345');
  assert.equal(decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify(rec)) }).actor, 'key:abcdef012345');
  assert.equal(decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify({ alertId: 'a', verdict: 'confirmed' })) }).actor, undefined);
  assert.throws(() => decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify({ alertId: 'a', verdict: 'confirmed', actor: 7 })) }), /"actor"/);
});

test('a topic record from before actors existed, read again by a new consumer group, changes nothing', async () => {
  const stored: FeedbackLogOp[] = [];
  const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  const old = { alertId: '0000000000000001', series: 'web-1', alertTs: 1000, score: 0.9, verdict: 'confirmed' as const, by: 'key:abcdef012345', channel: 'http' as const, at: 5 };
  const service = new FeedbackService({ policy, index: new AlertIndex(10), store: { load: async () => [old], append: async (op) => void stored.push(op) }, expectedSpanMs: 60_000 });
  await service.load();
  const record = { alertId: old.alertId, verdict: 'confirmed', series: 'web-1', ts: 1000, score: 0.9, by: old.by };
  const { alertId, body, ref, actor } = decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify(record)) });
  const res = await service.give(alertId, body, 'kafka', ref, actor);
  assert.deepEqual(stored, [], 'nothing appended');
  assert.equal(res.feedback?.channel, 'http', 'the entry keeps where it came from');
});

test('withdrawing feedback over REST (DELETE, or verdict clear) stores its actor on the log line', async () => {
  const { serving, stored } = servingWithFeedback();
  const { app } = await build({ apiKeys: [KEY] }, serving);
  const auth = { authorization: `Bearer ${KEY}` };
  try {
    for (const id of ['0000000000000001', '0000000000000002']) await app.inject({ method: 'POST', url: `/v1/anomalies/${id}/feedback`, headers: auth, payload: { verdict: 'confirmed' } });
    const actor = (stored[0] as { entry: { actor: string } }).entry.actor;
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/anomalies/0000000000000001/feedback', headers: auth })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000002/feedback', headers: auth, payload: { verdict: 'clear' } })).statusCode, 200);
    const clears = stored.filter((op) => op.op === 'clear');
    assert.deepEqual(clears.map((op) => [op.alertId, op.op === 'clear' && op.actor]), [['0000000000000001', actor], ['0000000000000002', actor]]);
  } finally {
    await app.close();
  }
});

test('a clear carries its actor on the feedback topic and into the receiving instance\'s log; one without stays without', async () => {
  const mk = () => {
    const stored: FeedbackLogOp[] = [];
    const published: Array<Record<string, unknown>> = [];
    const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
    const index = new AlertIndex(10);
    index.add(alert('0000000000000001'));
    const svc = new FeedbackService({ policy, index, store: { load: async () => [], append: async (op) => void stored.push(op) }, expectedSpanMs: 60_000, publish: async (r) => void published.push(r) });
    return { svc, stored, published };
  };
  const a = mk();
  const b = mk();
  await a.svc.give('0000000000000001', { verdict: 'confirmed' }, 'http', undefined, 'key:abcdef012345');
  await b.svc.give('0000000000000001', { verdict: 'confirmed' }, 'kafka');
  await a.svc.clear('0000000000000001', 'http', 'key:abcdef012345');
  const rec = a.published.at(-1)!;
  assert.deepEqual(rec, { alertId: '0000000000000001', verdict: 'clear', actor: 'key:abcdef012345' });
  const { alertId, body, ref, actor } = decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify(rec)) });
  await b.svc.give(alertId, body, 'kafka', ref, actor);
  assert.deepEqual(b.stored.at(-1), { op: 'clear', alertId, at: (b.stored.at(-1) as { at: number }).at, actor: 'key:abcdef012345', channel: 'kafka' });
  await a.svc.give('0000000000000001', { verdict: 'confirmed' }, 'kafka');
  await a.svc.clear('0000000000000001', 'kafka');
  assert.equal('actor' in a.stored.at(-1)!, false, 'a clear without an actor (an old topic record) records none');
});
