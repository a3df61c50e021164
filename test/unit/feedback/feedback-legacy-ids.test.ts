/**
 * Feedback across the SenML id change (docs/reliability.md, "Series-state snapshots"): a snapshot
 * written before input.senmlSeries 'baseName' ids dropped bn's trailing separator, restored under
 * baseName, renames its series ("dev1:" → "dev1") — and the feedback given on them moves too, in
 * effect at once and in the feedback log, so the next start reads it under the new id. Before 7 Dec
 * 2026 (night) it stayed on "dev1:", which never ticks again: a false positive's raised bar or an
 * `expected` span no longer reached the device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import { FeedbackLog } from '../../../src/adapters/file/feedback-log.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { FeedbackService } from '../../../src/pipeline/feedback-service.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { createSnapshotter } from '../../../src/pipeline/snapshot/create.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { captureSeries, SeriesHomes, snapshotHead } from '../../../src/pipeline/snapshot/series-state.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const spec = { features: ['temp'], targets: ['temp'] };
const offsets = new Map([[0, 9n]]);
const parts = () => {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  return { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry), alertIndex: new AlertIndex(10) };
};
const policy = () => new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
const fired = (id: string, series: string) => ({ kind: 'alert' as const, id, series, ts: 60_000, value: 30, expected: 20, lower: 18, upper: 22, score: 0.5, severity: 'warning' as const, state: 'firing' as const, model: 'm' });

/** A feedback service over the log at `file` (loaded), and the policy it acts through. */
async function feedbackAt(file: string, index: AlertIndex) {
  const p = policy();
  const log = new FeedbackLog({ path: file });
  const svc = new FeedbackService({ policy: p, index, store: log, expectedSpanMs: 60_000, now: () => 1 });
  await svc.load();
  return { svc, policy: p, log };
}

/** The feedback log as a build before ID_LAYOUT 2 wrote it: its entries carry no `idLayout`. */
function asOlderBuild(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  writeFileSync(file, lines.map((l) => {
    const op = JSON.parse(l) as { entry?: { idLayout?: number } };
    delete op.entry?.idLayout;
    return JSON.stringify(op) + '\n';
  }).join(''));
}

/** Write a snapshot of `ids` with alert index `index`, as the build before ID_LAYOUT 2 did (`legacy`) or as this one does. */
async function writeSnapshot(dir: string, ids: string[], index: AlertIndex, legacy: boolean): Promise<void> {
  const p = { ...parts(), alertIndex: index };
  for (const id of ids) {
    for (let k = 0; k < 3; k++) p.store.push(id, k * 60_000, [20 + k], 0);
    p.homes.note(id, 0);
  }
  const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
  if (legacy) delete head.idLayout;
  await new SnapshotFile(path.join(dir, 'snap')).write(encodeSnapshot({ ...head, series: ids.map((id) => captureSeries(p, id, offsets)!) }));
}

async function restore(dir: string, feedback: FeedbackService, senmlBaseName = true): Promise<object[]> {
  const logged: object[] = [];
  const q = { ...parts(), feedback };
  const snap = createSnapshotter({ enabled: true, dir: path.join(dir, 'snap'), modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName }, q, spec, { info: (o: object) => void logged.push(o), warn: () => undefined });
  assert.equal(await snap!.load(), true);
  return logged;
}

test('feedback given on "dev1:" before the upgrade acts on "dev1" after it, and the log names "dev1" from then on', () =>
  withTempDir('tc-fb-legacy-', async (dir) => {
    const file = path.join(dir, 'feedback.jsonl');
    const index = new AlertIndex(10);
    index.add(fired('a1', 'dev1:'));
    index.add(fired('a2', 'plain'));
    const before = await feedbackAt(file, index);
    await before.svc.give('a1', { verdict: 'false_positive' }, 'http');
    await before.svc.give('a2', { verdict: 'confirmed' }, 'http');
    await before.log.close();
    asOlderBuild(file);
    await writeSnapshot(dir, ['dev1:', 'plain'], index, true);

    const after = await feedbackAt(file, new AlertIndex(10));
    const logged = await restore(dir, after.svc);
    assert.deepEqual(after.svc.list({ series: 'dev1', limit: 10 }).map((e) => e.alertId), ['a1'], 'in effect under the id the device ticks under now');
    assert.deepEqual(after.svc.list({ series: 'dev1:', limit: 10 }), []);
    assert.ok(after.policy.bar('dev1', 120_000) > 0.4, 'the false positive raises the device\'s bar');
    assert.deepEqual(after.policy.entries().map((e) => [e.alertId, e.series]), [['a1', 'dev1'], ['a2', 'plain']], 'order kept');
    assert.ok(logged.some((o) => (o as { feedbackRenamed?: number }).feedbackRenamed === 1), 'the load line says how many moved');
    await after.log.close();

    const next = await feedbackAt(file, new AlertIndex(10)); // the next start: the snapshot it reads has idLayout, renames nothing
    assert.deepEqual(next.policy.entries().map((e) => [e.alertId, e.series]), [['a1', 'dev1'], ['a2', 'plain']], 'the log names the new id');
    await next.log.close();
  }));

test('nothing moved when the snapshot was written by this build or the input is not SenML baseName', () =>
  withTempDir('tc-fb-legacy-', async (dir) => {
    const file = path.join(dir, 'feedback.jsonl');
    const index = new AlertIndex(10);
    index.add(fired('k1', 'k:'));
    for (const [legacy, baseName] of [[false, true], [true, false]] as const) {
      const fb = await feedbackAt(file, index);
      if (fb.policy.size === 0) await fb.svc.give('k1', { verdict: 'false_positive' }, 'http');
      await writeSnapshot(dir, ['k:'], index, legacy);
      await restore(dir, fb.svc, baseName);
      assert.deepEqual(fb.policy.entries().map((e) => e.series), ['k:'], `legacy ${legacy}, baseName ${baseName}: a key "k:" is an id as it is`);
      await fb.log.close();
      asOlderBuild(file); // given by a build before the mark: only the snapshot's layout and the series mode keep it
    }
  }));

test('a start that restores the same older snapshot again (none written since) does not move the moved feedback a second time', () =>
  withTempDir('tc-fb-legacy-', async (dir) => {
    // bn "dev::" was "dev::" before the upgrade and is "dev:" now; "dev:" is bn "dev:"'s id before, "dev" now.
    const file = path.join(dir, 'feedback.jsonl');
    const index = new AlertIndex(10);
    index.add(fired('a1', 'dev::'));
    const before = await feedbackAt(file, index);
    await before.svc.give('a1', { verdict: 'false_positive' }, 'http');
    await before.log.close();
    asOlderBuild(file);
    await writeSnapshot(dir, ['dev::'], index, true);

    const first = await feedbackAt(file, new AlertIndex(10));
    await restore(dir, first.svc);
    assert.deepEqual(first.policy.entries().map((e) => e.series), ['dev:']);
    await first.log.close();

    // A crash (or a second pod on the shared log) before this build wrote a snapshot: the older one is read again.
    const second = await feedbackAt(file, new AlertIndex(10));
    const logged = await restore(dir, second.svc);
    assert.deepEqual(second.policy.entries().map((e) => e.series), ['dev:'], 'still on bn "dev::"\'s device, not moved on to bn "dev:"\'s');
    assert.ok(!logged.some((o) => 'feedbackRenamed' in o), 'nothing moved');
    await second.log.close();
    const next = await feedbackAt(file, new AlertIndex(10));
    assert.deepEqual(next.policy.entries().map((e) => e.series), ['dev:'], 'the log too');
    await next.log.close();
  }));

test('feedback given under the new ids after an older snapshot\'s restore, before this build wrote one, is not moved by a second start', () =>
  withTempDir('tc-fb-legacy-', async (dir) => {
    // The older snapshot holds bn "dev::" (id "dev::" then); restored, the device ticks as "dev:" and alerts there.
    const file = path.join(dir, 'feedback.jsonl');
    await writeSnapshot(dir, ['dev::'], new AlertIndex(10), true);
    const index = new AlertIndex(10);
    const first = await feedbackAt(file, index);
    await restore(dir, first.svc);
    index.add(fired('b1', 'dev:')); // fired by this build: "dev:" is bn "dev::"'s id now
    await first.svc.give('b1', { verdict: 'false_positive' }, 'http');
    assert.equal(first.policy.get('b1')?.idLayout, 2, 'marked with the id layout it was given under');
    await first.log.close();

    // A crash before this build wrote a snapshot: the older one is read again. Before 7 Dec 2026 (night)
    // the unmarked "dev:" was taken for bn "dev:"'s old id and moved on to "dev", another device.
    const second = await feedbackAt(file, new AlertIndex(10));
    const logged = await restore(dir, second.svc);
    assert.deepEqual(second.policy.entries().map((e) => [e.alertId, e.series]), [['b1', 'dev:']]);
    assert.ok(!logged.some((o) => 'feedbackRenamed' in o), 'nothing moved');
    await second.log.close();
  }));
