/**
 * The feedback topic through a real Kafka protocol broker over TCP: valid feedback records are
 * applied (and written to the feedback log), malformed ones land on the dead-letter topic with the
 * reason in headers and their original bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka } from '../helpers/kafka.ts';

test('feedback topic: valid records act, malformed ones are dead-lettered with the reason', async () => {
  const p = uniqueName('fb');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const feedbackTopic = `${p}.anomalies.feedback`;
  const broker = await startBroker({ topics: [...Object.values(topics).map((name) => ({ name, partitions: 1 })), { name: feedbackTopic, partitions: 2 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.dlq, feedbackTopic], uniqueName('collect'));
  const dir = mkdtempSync(join(tmpdir(), 'tc-fbtopic-'));
  const file = join(dir, 'feedback.jsonl');
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
    feedback: { topic: feedbackTopic, file },
    http: { allowUnauthenticatedMutations: true },
  });
  try {
    const good = [
      { alertId: 'a1', verdict: 'false_positive', series: 'web-1:cpu', ts: 1_735_689_600_000, score: 0.52, by: 'pagerduty' },
      { alertId: 'a2', verdict: 'expected', durationMs: 3_600_000, series: 'web-1:mem', ts: 1_735_689_600_000, score: 0.61 },
    ];
    const bad = [
      { value: Buffer.from('not json'), code: 'TC_FEEDBACK_INVALID' },
      { value: Buffer.from(JSON.stringify({ alertId: 'zz', verdict: 'confirmed' })), code: 'TC_ALERT_NOT_FOUND' },
      { value: Buffer.from(JSON.stringify({ alertId: 'a3', verdict: 'nope', series: 's', ts: 1, score: 0.5 })), code: 'TC_FEEDBACK_INVALID' },
    ];
    await produce(producer, feedbackTopic, [...good.map((g) => ({ key: g.alertId, value: JSON.stringify(g) })), ...bad.map((b) => ({ key: 'x', value: b.value }))]);
    await collector.waitFor(() => collector.of(topics.dlq).length >= bad.length, 60_000, 'dead letters');
    const deadline = Date.now() + 30_000;
    while ((app.serving.feedback?.list({ limit: 10 }).length ?? 0) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const list = await (await fetch(`${app.address()}/v1/feedback`)).json();
    assert.deepEqual(list.items.map((e: { alertId: string; channel: string }) => [e.alertId, e.channel]).sort(), [['a1', 'kafka'], ['a2', 'kafka']]);
    const stored = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).entry.alertId).sort();
    assert.deepEqual(stored, ['a1', 'a2'], 'topic feedback is written to the feedback log too');
    await collector.settle(1000);
    const dlq = collector.of(topics.dlq);
    assert.equal(dlq.length, bad.length);
    assert.deepEqual(dlq.map((d) => d.headers['tickcast-error-code']).sort(), bad.map((b) => b.code).sort());
    for (const d of dlq) {
      assert.ok(bad.some((b) => Buffer.compare(b.value, d.value!) === 0), 'original bytes');
      assert.equal(d.headers['tickcast-source-topic'], feedbackTopic);
      assert.ok(d.headers['tickcast-error-message'].length > 10);
    }

    // REST feedback is published for the other instances; coming back, it changes nothing here.
    const post = await fetch(`${app.address()}/v1/anomalies/a1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'confirmed', note: 'real' }) });
    assert.equal(post.status, 200, await post.clone().text());
    const del = await fetch(`${app.address()}/v1/anomalies/a2/feedback`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    await collector.waitFor(() => collector.of(feedbackTopic).length >= good.length + 2, 30_000, 'published feedback');
    await collector.settle(1500);
    const published = collector.of(feedbackTopic).slice(good.length + bad.length).map((m) => JSON.parse(String(m.value)));
    assert.deepEqual(published, [
      // actor: who this server authenticated (no key here: allowUnauthenticatedMutations), for the other instances' audit trail.
      { alertId: 'a1', verdict: 'confirmed', series: 'web-1:cpu', ts: 1_735_689_600_000, score: 0.52, note: 'real', actor: 'anonymous' },
      { alertId: 'a2', verdict: 'clear', actor: 'anonymous' }, // a withdrawal names who made it too (since 6 Dec 2026)
    ]);
    assert.equal(collector.of(topics.dlq).length, bad.length, 'our own publications are not dead-lettered');
    const after = (await (await fetch(`${app.address()}/v1/feedback`)).json()).items;
    assert.deepEqual(after.map((e: { alertId: string; verdict: string; channel: string }) => [e.alertId, e.verdict, e.channel]), [['a1', 'confirmed', 'http']]);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 4, 'two topic entries, the REST change, the clear: no echo lines');
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /tickcast_feedback_total\{verdict="false_positive",channel="kafka"\} 1/);
    assert.match(metrics, /tickcast_dlq_total\{code="TC_FEEDBACK_INVALID"\} 2/);
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
