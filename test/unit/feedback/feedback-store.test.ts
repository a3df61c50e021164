/** The feedback use case over the real file log: durability, compaction, 404s, topic records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLEARS_KEPT, FeedbackLog } from '../../../src/adapters/file/feedback-log.ts';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { FeedbackService } from '../../../src/pipeline/feedback-service.ts';
import { decodeFeedbackRecord, feedbackRecordHandler } from '../../../src/pipeline/feedback-intake.ts';
import type { AnomalyRecord, OutMessage } from '../../../src/pipeline/ports.ts';
import { ErrorCodes, TickcastError } from '../../../src/errors/index.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const policy = () => new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
const alert = (id: string, series = 's', ts = 1_000, score = 0.5): AnomalyRecord => ({ kind: 'alert', id, series, ts, value: 9, expected: 1, lower: 0, upper: 2, score, severity: 'warning', state: 'firing', model: 'm', view: 'forecast' });

function setup(dir: string) {
  const index = new AlertIndex(100);
  const store = new FeedbackLog({ path: join(dir, 'sub', 'feedback.jsonl') });
  const p = policy();
  const svc = new FeedbackService({ policy: p, index, store, expectedSpanMs: 60_000, now: () => 42 });
  return { index, store, p, svc };
}

test('feedback is written before it acts, survives a reload, and clear reverts it', () =>
  withTempDir('tc-fb-', async (dir) => {
    const a = setup(dir);
    a.index.add(alert('a1'));
    a.index.add(alert('a2', 's', 2_000, 0.6));
    const r = await a.svc.give('a1', { verdict: 'false_positive', note: 'deploy noise' }, 'http');
    assert.equal(r.series, 's');
    assert.equal(r.feedback?.view, 'forecast', 'the entry keeps the view of the alert it judged');
    assert.ok(Math.abs(r.effect.bar - 0.55) < 1e-9);
    const m = await a.svc.give('a2', { verdict: 'expected' }, 'mcp');
    assert.equal(m.feedback?.untilTs, 2_000 + 60_000);
    await a.store.close();
    const lines = readFileSync(join(dir, 'sub', 'feedback.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);

    const b = setup(dir); // a restart: empty index, same file
    assert.equal(await b.svc.load(), 2);
    assert.equal(b.p.decide('s', 1_500, 0.5, 'forecast'), 'false_positive');
    assert.equal(b.p.decide('s', 1_500, 0.5, 'seasonal'), 'pass', 'the view survived the reload');
    assert.equal(b.p.decide('s', 3_000, 0.99), 'expected');
    const cleared = await b.svc.give('a1', { verdict: 'clear' }, 'http', undefined, 'key:abcdef012345'); // not indexed any more, but known by its feedback
    assert.equal(cleared.feedback, null);
    const clearLine = JSON.parse(readFileSync(join(dir, 'sub', 'feedback.jsonl'), 'utf8').trim().split('\n').at(-1)!);
    assert.deepEqual(clearLine, { op: 'clear', alertId: 'a1', at: 42, actor: 'key:abcdef012345', channel: 'http' }, 'the withdrawal is on disk with who made it');
    await assert.rejects(b.svc.clear('a1'), (e: unknown) => e instanceof TickcastError && e.code === ErrorCodes.ALERT_NOT_FOUND && e.statusCode === 404);
    await b.store.close();

    const c = setup(dir);
    assert.equal(await c.svc.load(), 1, 'the clear was durable too');
    assert.equal(c.p.decide('s', 1_500, 0.45), 'pass');
    await c.store.close();
  }));

test('unknown alert ids are 404 with a hint; a torn last line is skipped; a long log is compacted on load', () =>
  withTempDir('tc-fb-', async (dir) => {
    const a = setup(dir);
    await assert.rejects(a.svc.give('nope', { verdict: 'confirmed' }, 'http'), (e: unknown) => e instanceof TickcastError && e.code === ErrorCodes.ALERT_NOT_FOUND && /recent firing alerts/.test(e.message));
    await assert.rejects(a.svc.give('nope', { verdict: 'bogus' }, 'http'), (e: unknown) => e instanceof TickcastError && e.code === ErrorCodes.FEEDBACK_INVALID);
    a.index.add(alert('a1'));
    const given = await a.svc.give('a1', { verdict: 'false_positive' }, 'http');
    // A long log as an older release left it (the service now compacts while it runs).
    for (let i = 0; i < 100; i++) await a.store.append({ op: 'set', entry: { ...given.feedback!, verdict: i % 2 ? 'confirmed' : 'false_positive' } });
    await a.store.close();
    const path = join(dir, 'sub', 'feedback.jsonl');
    appendFileSync(path, '{"op":"set","entry":{"alertId":"tor');
    let skipped = 0;
    const log = new FeedbackLog({ path, onSkipped: (n) => (skipped = n) });
    const entries = await log.load();
    assert.equal(skipped, 1);
    assert.deepEqual(entries.map((e) => [e.alertId, e.verdict]), [['a1', 'confirmed']]);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 1, 'compacted to the one entry in effect');
    await log.close();
  }));

test('topic records: applied when valid (also without the index, given series/ts/score), else dead-lettered with the reason and original bytes', async () => {
  const p = policy();
  const svc = new FeedbackService({ policy: p, index: new AlertIndex(10), store: null, expectedSpanMs: 60_000 });
  const sent: OutMessage[] = [];
  const handle = feedbackRecordHandler(svc, { send: async (m) => void sent.push(...m) });
  const rec = (v: string, offset: number): RawRecord => ({ key: null, value: Buffer.from(v), headers: { h: '1' }, source: { topic: 'anomalies.feedback', partition: 0, offset: String(offset) }, receivedAtMs: 0 });
  await handle([
    rec(JSON.stringify({ alertId: 'k1', verdict: 'false_positive', series: 'web:cpu', ts: 5_000, score: 0.5, view: 'volatility' }), 0),
    rec('not json', 1),
    rec(JSON.stringify({ alertId: 'k2', verdict: 'confirmed' }), 2),
    rec(JSON.stringify({ alertId: 'k3', verdict: 'maybe', series: 'x', ts: 1, score: 0.5 }), 3),
    rec(JSON.stringify({ alertId: 'k4', verdict: 'confirmed', series: 'x' }), 4),
  ]);
  assert.equal(p.decide('web:cpu', 5_000, 0.5), 'false_positive');
  assert.equal(p.get('k1')?.channel, 'kafka');
  assert.equal(p.get('k1')?.view, 'volatility', 'a topic record may name the view');
  assert.throws(() => decodeFeedbackRecord({ key: null, value: Buffer.from(JSON.stringify({ alertId: 'k5', verdict: 'confirmed', series: 'x', ts: 1, score: 0.5, view: 7 })) }), /"view"/);
  assert.deepEqual(sent.map((m) => [m.stream, m.headers['tickcast-error-code'], m.headers['tickcast-source-offset'], String(m.value).slice(0, 8)]), [
    ['dlq', 'TC_FEEDBACK_INVALID', '1', 'not json'],
    ['dlq', 'TC_ALERT_NOT_FOUND', '2', '{"alertI'],
    ['dlq', 'TC_FEEDBACK_INVALID', '3', '{"alertI'],
    ['dlq', 'TC_FEEDBACK_INVALID', '4', '{"alertI'],
  ]);
  assert.match(String(sent[3].headers['tickcast-error-message']), /go together/);
  assert.equal(sent[0].headers.h, '1', 'original headers kept');
  assert.throws(() => decodeFeedbackRecord({ key: null, value: null }), /no value/);
});

test('a failed write leaves the policy unchanged and surfaces the error (topic records are then retried)', () =>
  withTempDir('tc-fb-', async (dir) => {
    writeFileSync(join(dir, 'file'), 'x');
    const p = policy();
    const index = new AlertIndex(10);
    index.add(alert('a1'));
    const svc = new FeedbackService({ policy: p, index, store: new FeedbackLog({ path: join(dir, 'file', 'feedback.jsonl') }), expectedSpanMs: 1 });
    await assert.rejects(svc.give('a1', { verdict: 'false_positive' }, 'http'));
    assert.equal(p.size, 0);
  }));

test('a long-running service keeps its feedback log near the entries in effect, without a restart', () =>
  withTempDir('tc-fb-', async (dir) => {
    const a = setup(dir); // maxPerSeries 10, maxEntries 100
    const path = join(dir, 'sub', 'feedback.jsonl');
    const lines = () => readFileSync(path, 'utf8').trim().split('\n').length;
    // Weeks of feedback: 500 alerts of 5 series, each judged, half of them judged again.
    for (let i = 0; i < 500; i++) {
      const id = `a${i}`;
      a.index.add(alert(id, `s${i % 5}`, 1_000 + i));
      await a.svc.give(id, { verdict: 'false_positive' }, 'http');
      if (i % 2) await a.svc.give(id, { verdict: 'confirmed' }, 'http');
      assert.ok(lines() <= 2 * a.p.size + 64 + 1, `after ${i + 1} alerts: ${lines()} lines on disk for ${a.p.size} entries in effect`);
    }
    assert.equal(a.p.size, 50, 'maxPerSeries 10 × 5 series');
    await a.store.close();
    const b = setup(dir);
    assert.equal(await b.svc.load(), 50);
    assert.deepEqual(b.p.entries().map((e) => [e.alertId, e.verdict]), a.p.entries().map((e) => [e.alertId, e.verdict]), 'the compacted log restores what was in effect');
    assert.ok(lines() <= 2 * 50 + 64, `entries the policy dropped are not kept on disk either: ${lines()} lines`);
    await b.store.close();
  }));

test('versions sharing one log: operations of a newer release are kept through compactions (on load and while running), not applied, and go once this release writes a later word on the alert', () =>
  withTempDir('tc-fb-', async (dir) => {
    const path = join(dir, 'feedback.jsonl');
    const entry = (alertId: string, verdict: string) => ({ alertId, series: 's', alertTs: 1_000, score: 0.5, verdict, channel: 'http', at: 7 });
    const line = (v: object) => `${JSON.stringify(v)}\n`;
    const newerVerdict = line({ op: 'set', entry: entry('a2', 'snoozed') }); // a verdict this release does not know
    const newerOp = line({ op: 'tag', alertId: 'a3', tags: ['noisy'] }); // an operation it does not know
    let text = line({ op: 'set', entry: entry('a2', 'confirmed') }) + newerVerdict + newerOp;
    for (let i = 0; i < 100; i++) text += line({ op: 'set', entry: entry('a1', i % 2 ? 'confirmed' : 'false_positive') });
    writeFileSync(path, text);

    let seen: [number, number] = [0, 0];
    const log = new FeedbackLog({ path, onSkipped: (n, kept) => (seen = [n, kept]) });
    const entries = await log.load();
    assert.deepEqual(seen, [2, 2], 'both lines counted as skipped, both kept');
    assert.deepEqual(entries.map((e) => [e.alertId, e.verdict]), [['a1', 'confirmed']], "a2's newest word is one this release cannot apply: its older verdict is not applied either");
    const onDisk = () => readFileSync(path, 'utf8').trim().split('\n');
    assert.deepEqual(onDisk().slice(1), [newerVerdict.trim(), newerOp.trim()], 'compacted on load: the entry in effect, then the newer release\'s lines');
    assert.equal(log.lines, 1);

    await log.append({ op: 'set', entry: entry('a1', 'false_positive') as never });
    await log.compact(entries);
    assert.deepEqual(onDisk().slice(1), [newerVerdict.trim(), newerOp.trim()], 'a compaction while running keeps them too');
    await log.append({ op: 'clear', alertId: 'a3', at: 9 });
    await log.compact(entries);
    const [clearA3, setA1, ...rest] = onDisk();
    assert.equal(clearA3, JSON.stringify({ op: 'clear', alertId: 'a3', at: 9 }), 'the withdrawal itself is kept (the audit), before the entries');
    assert.match(setA1, /"alertId":"a1"/);
    assert.deepEqual(rest, [newerVerdict.trim()], 'a later word on a3 from this release supersedes the kept line');
    await log.close();
  }));

test('compaction keeps the most recent withdrawals (clear lines, with their actor) as the audit, bounded; the entries in effect reload unchanged', () =>
  withTempDir('tc-fb-', async (dir) => {
    const a = setup(dir);
    const path = join(dir, 'sub', 'feedback.jsonl');
    const onDisk = () => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; alertId?: string; actor?: string });
    a.index.add(alert('a1'));
    await a.svc.give('a1', { verdict: 'false_positive' }, 'http', undefined, 'key:000000000001');
    await a.svc.clear('a1', 'http', 'key:00000000beef');
    await a.svc.give('a1', { verdict: 'confirmed' }, 'http'); // given again after the withdrawal: stays in effect
    a.index.add(alert('a2', 's', 2_000));
    for (let i = 0; i < 100; i++) await a.svc.give('a2', { verdict: i % 2 ? 'confirmed' : 'false_positive' }, 'http');
    assert.ok(onDisk().length < 100, `compacted while running: ${onDisk().length} lines`);
    assert.deepEqual(onDisk().filter((l) => l.op === 'clear').map((l) => [l.alertId, l.actor]), [['a1', 'key:00000000beef']], 'who withdrew a1 is still on disk');
    // Many withdrawals: only the most recent CLEARS_KEPT stay, so the log stays bounded.
    for (let i = 0; i < CLEARS_KEPT + 50; i++) {
      a.index.add(alert(`c${i}`, 's', 3_000 + i));
      await a.svc.give(`c${i}`, { verdict: 'false_positive' }, 'http');
      await a.svc.clear(`c${i}`, 'mcp', `key:${String(i).padStart(12, '0')}`);
    }
    assert.ok(onDisk().length <= 2 * a.p.size + 64 + 1 + CLEARS_KEPT, `bounded: ${onDisk().length} lines for ${a.p.size} entries`);
    await a.store.compact(a.p.entries());
    const clears = onDisk().filter((l) => l.op === 'clear');
    assert.equal(clears.length, CLEARS_KEPT, 'a rewrite keeps the most recent CLEARS_KEPT withdrawals');
    assert.equal(clears[0].actor, `key:${String(50).padStart(12, '0')}`, 'the oldest go first');
    assert.equal(clears.at(-1)?.actor, `key:${String(CLEARS_KEPT + 49).padStart(12, '0')}`, 'the newest withdrawal is kept');
    assert.equal(onDisk().length, CLEARS_KEPT + a.p.size);
    await a.store.close();
    const b = setup(dir);
    assert.equal(await b.svc.load(), 2);
    assert.deepEqual(b.p.entries().map((e) => [e.alertId, e.verdict]), a.p.entries().map((e) => [e.alertId, e.verdict]), 'kept clear lines do not undo what is in effect');
    await b.store.close();
  }));
