/**
 * A series-state snapshot written before SenML 'baseName' series ids dropped bn's trailing
 * separator (the build of 7 Dec 2026 that kept it: "dev1:" for bn "dev1:") is resumed under the new
 * ids: restored under input.senmlSeries baseName, each such id is renamed once and the load is logged
 * with the renames. Before 7 Dec 2026 (evening) the saved window sat under "dev1:", never ticked
 * again, until idle eviction, while "dev1" started empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { captureSeries, SeriesHomes, snapshotHead } from '../../../src/pipeline/snapshot/series-state.ts';
import { createSnapshotter } from '../../../src/pipeline/snapshot/create.ts';
import { renameLegacyIds } from '../../../src/pipeline/snapshot/legacy-ids.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { IncidentGrouper, type IncidentAlert } from '../../../src/domain/incidents/incident-grouper.ts';

const spec = { features: ['temp'], targets: ['temp'] };
const offsets = new Map([[0, 9n]]);
const parts = () => {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  return { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry) };
};

/** A snapshot file of `ids` (3 ticks each), as the build before ID_LAYOUT 2 wrote it (no idLayout) or as this one does. */
async function written(dir: string, ids: string[], legacy: boolean): Promise<void> {
  const p = parts();
  for (const id of ids) {
    for (let k = 0; k < 3; k++) p.store.push(id, k * 60_000, [20 + k], 0);
    p.homes.note(id, 0);
  }
  const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
  if (legacy) delete head.idLayout;
  await new SnapshotFile(dir).write(encodeSnapshot({ ...head, series: ids.map((id) => captureSeries(p, id, offsets)!) }));
}

async function restored(ids: string[], legacy: boolean, senmlBaseName: boolean): Promise<{ series: string[]; logged: object[]; last: number | undefined }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tc-legacy-ids-'));
  try {
    await written(dir, ids, legacy);
    const p = parts();
    const logged: object[] = [];
    const snap = createSnapshotter({ enabled: true, dir, modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName }, p, spec, { info: (o: object) => void logged.push(o), warn: () => undefined });
    assert.equal(await snap!.load(), true);
    return { series: [...p.store.ids()].sort(), logged, last: p.store.lastValues('dev1')?.[0] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a snapshot from before the separator change, restored under SenML baseName: "dev1:" resumes as "dev1", logged once; its window whole', async () => {
  const { series, logged, last } = await restored(['dev1:', '/3303/0/', 'plain'], true, true);
  assert.deepEqual(series, ['/3303/0', 'dev1', 'plain']);
  assert.equal(last, 22, 'the saved window, under its new id');
  const line = logged.find((o) => 'renamedSeries' in o) as { renamedSeries: number; renamed: Array<[string, string]> };
  assert.equal(line.renamedSeries, 2);
  assert.deepEqual(line.renamed, [['dev1:', 'dev1'], ['/3303/0/', '/3303/0']]);
});

test('nothing renamed: a snapshot this build wrote (a key "k:" is an id as it is), another input format, or a snapshot holding the new id too', async () => {
  assert.deepEqual((await restored(['k:'], false, true)).series, ['k:'], 'written with idLayout: ids kept');
  assert.deepEqual((await restored(['dev1:'], true, false)).series, ['dev1:'], 'not SenML baseName: ids kept');
  assert.deepEqual((await restored(['dev1', 'dev1:'], true, true)).series, ['dev1', 'dev1:'], 'both saved: the old stays as it was, no merge');
});

test('renamed once: a second restore of the same tree renames nothing more ("dev::" becomes "dev:", not "dev")', () => {
  const tree = { series: [{ id: 'dev::' }] } as { idLayout?: number; series: Array<{ id: string }> };
  const rename = (id: string) => (/[:/.]$/.test(id) && id.length > 1 ? id.slice(0, -1) : null);
  assert.deepEqual(renameLegacyIds(tree, rename), [['dev::', 'dev:']]);
  assert.deepEqual(renameLegacyIds(tree, rename), []);
  assert.equal(tree.series[0].id, 'dev:');
  const two = { series: [{ id: 'dev::' }, { id: 'dev:' }] } as { idLayout?: number; series: Array<{ id: string }> };
  assert.deepEqual(renameLegacyIds(two, rename), [['dev:', 'dev'], ['dev::', 'dev:']], 'two devices (bn "dev:" and "dev::"), whichever is listed first');
});

test('the alert index is renamed with its series: feedback on an alert fired before the restart applies to the id the device ticks under now', async () => {
  // Before 7 Dec 2026 (late evening) the index kept "dev1:": feedback given after the upgrade on an alert
  // fired before it (the index is saved so that such feedback is still found) acted on a series that no
  // longer ticks, so a false_positive or an "expected" span never reached the device.
  const dir = await mkdtemp(path.join(tmpdir(), 'tc-legacy-ids-'));
  try {
    const p = { ...parts(), alertIndex: new AlertIndex(10) };
    for (const id of ['dev1:', 'dev2', 'dev2:']) {
      for (let k = 0; k < 3; k++) p.store.push(id, k * 60_000, [20 + k], 0);
      p.homes.note(id, 0);
    }
    const fired = (id: string, series: string) => ({ id, series, ts: 60_000, value: 30, expected: 20, lower: 18, upper: 22, score: 9, severity: 'critical' as const, state: 'firing' as const, model: 'm' });
    p.alertIndex.add(fired('a1', 'dev1:'));
    p.alertIndex.add(fired('a2', 'gone:')); // a series evicted before the snapshot: its device ticks as "gone" now
    p.alertIndex.add(fired('a3', 'dev2:')); // its window kept under its old id (the snapshot holds "dev2" too, as recent): the device is "dev2" all the same
    const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
    delete head.idLayout;
    await new SnapshotFile(dir).write(encodeSnapshot({ ...head, series: ['dev1:', 'dev2', 'dev2:'].map((id) => captureSeries(p, id, offsets)!) }));
    const q = { ...parts(), alertIndex: new AlertIndex(10) };
    const snap = createSnapshotter({ enabled: true, dir, modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName: true }, q, spec, { info: () => undefined, warn: () => undefined });
    assert.equal(await snap!.load(), true);
    assert.deepEqual([...q.store.ids()].sort(), ['dev1', 'dev2', 'dev2:']);
    assert.deepEqual(['a1', 'a2', 'a3'].map((id) => q.alertIndex.get(id)?.series), ['dev1', 'gone', 'dev2'], 'every alert of the device names the id it ticks under now');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a rollback and roll-forward: both ids saved, the one ticked more recently resumes under the new id; the other keeps the old one', async () => {
  // This build wrote "dev1" (idLayout 2); the build before, rolled back to, ignored the mark, restored
  // "dev1" (never ticked by it) and ticked the device as "dev1:"; its snapshot, without the mark, holds
  // both. Before 7 Dec 2026 (late evening) the roll-forward kept "dev1", the window of before the
  // rollback, and left the rollback's readings orphaned under "dev1:".
  const dir = await mkdtemp(path.join(tmpdir(), 'tc-legacy-ids-'));
  try {
    const p = parts();
    for (const [id, from, v] of [['dev1', 0, 20], ['dev1:', 600_000, 30]] as const) {
      for (let k = 0; k < 3; k++) p.store.push(id, from + k * 60_000, [v + k], 0);
      p.homes.note(id, 0);
    }
    const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
    delete head.idLayout;
    await new SnapshotFile(dir).write(encodeSnapshot({ ...head, series: ['dev1', 'dev1:'].map((id) => captureSeries(p, id, offsets)!) }));
    const q = parts();
    const logged: object[] = [];
    const snap = createSnapshotter({ enabled: true, dir, modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName: true }, q, spec, { info: (o: object) => void logged.push(o), warn: () => undefined });
    assert.equal(await snap!.load(), true);
    assert.equal(q.store.lastValues('dev1')?.[0], 32, 'the rollback\'s window, under the id the device ticks as');
    assert.equal(q.store.lastValues('dev1:')?.[0], 22, 'the older one kept apart, evicted when idle');
    assert.deepEqual((logged.find((o) => 'renamed' in o) as { renamed: unknown }).renamed, [['dev1:', 'dev1'], ['dev1', 'dev1:']]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('both ids ticking over the same span (two live series, e.g. record keys "k" and "k:"): no swap, each keeps its own window', async () => {
  // Only a new id that stopped ticking before the old id's window began is a rollback's leftover.
  // Before 7 Dec 2026 (night) whichever ticked last took "k": two live series exchanged windows,
  // detectors and forecasts (b65cdc14's swap), where before that commit nothing was swapped.
  const dir = await mkdtemp(path.join(tmpdir(), 'tc-legacy-ids-'));
  try {
    const p = parts();
    for (let k = 0; k < 3; k++) {
      p.store.push('k', k * 120_000, [20 + k], 0);
      p.store.push('k:', 60_000 + k * 120_000, [30 + k], 0);
    }
    for (const id of ['k', 'k:']) p.homes.note(id, 0);
    const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
    delete head.idLayout;
    await new SnapshotFile(dir).write(encodeSnapshot({ ...head, series: ['k', 'k:'].map((id) => captureSeries(p, id, offsets)!) }));
    const q = parts();
    const snap = createSnapshotter({ enabled: true, dir, modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName: true }, q, spec, { info: () => undefined, warn: () => undefined });
    assert.equal(await snap!.load(), true);
    assert.equal(q.store.lastValues('k')?.[0], 22, '"k" keeps its own window');
    assert.equal(q.store.lastValues('k:')?.[0], 32, '"k:" keeps its own window');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('open incidents are renamed with their series: a renamed device\'s resolve closes its member, and a redelivered alert counts once', async () => {
  // Before 7 Dec 2026 (night) the saved incident kept "site1:dev1:" and "site1:dev2:" firing: the
  // devices, ticking and resolving as "site1:dev1" and "site1:dev2", matched neither, so the incident
  // stayed open until incidents.idleCloseMs released them, and a redelivered alert was grouped again.
  const MIN = 60_000;
  const grouper = () => new IncidentGrouper({ groupBy: { by: 'prefix', pattern: /^([^:]+):/ }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 10, maxMembers: 10, keepClosed: 10, idleMs: 60 * MIN });
  const a = (id: string, series: string, min: number, state: 'firing' | 'resolved' = 'firing'): IncidentAlert => ({ id, series, ts: min * MIN, severity: 'warning', state, score: 0.5, feature: 'temp' });
  const dir = await mkdtemp(path.join(tmpdir(), 'tc-legacy-ids-'));
  try {
    const p = { ...parts(), incidents: grouper() };
    for (const id of ['site1:dev1:', 'site1:dev2:']) {
      for (let k = 0; k < 3; k++) p.store.push(id, k * 60_000, [20 + k], 0);
      p.homes.note(id, 0);
    }
    p.incidents.follow(a('x1', 'site1:dev1:', 1));
    assert.equal(p.incidents.follow(a('x2', 'site1:dev2:', 2)).length, 1, 'published: two series');
    const head = snapshotHead(p, { topic: 't', groupId: 'g', window: 4, features: spec.features }, offsets, 0);
    delete head.idLayout;
    await new SnapshotFile(dir).write(encodeSnapshot({ ...head, series: ['site1:dev1:', 'site1:dev2:'].map((id) => captureSeries(p, id, offsets)!) }));
    const q = { ...parts(), incidents: grouper() };
    const snap = createSnapshotter({ enabled: true, dir, modelDir: '', intervalMs: 0, topic: 't', groupId: 'g', maxTailRecords: 1000, senmlBaseName: true }, q, spec, { info: () => undefined, warn: () => undefined });
    assert.equal(await snap!.load(), true);
    const g = q.incidents;
    assert.deepEqual(g.list({ state: 'open', limit: 5 })[0].series, ['site1:dev1', 'site1:dev2'], 'members under the ids the devices tick under now');
    assert.equal(g.follow(a('x2', 'site1:dev2', 2)).length + g.list({ state: 'open', limit: 5 })[0].count, 2, 'a redelivered alert is known: not counted again');
    g.advance(0);
    for (const [series, min] of [['site1:dev1', 3], ['site1:dev2', 3]] as const) {
      g.tick(series, undefined, min * MIN);
      g.follow(a(`r-${series}`, series, min, 'resolved'));
    }
    g.tick('site1:dev1', undefined, 20 * MIN);
    const closed = g.advance(MIN); // wall time far inside idleMs: only the resolves can close it
    assert.deepEqual(closed.map((r) => r.state), ['closed'], 'quiet for spanMs after both resolves: closed on its own clock');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a three-id chain after a rollback ("dev", "dev:", "dev::"): the middle window, both devices\' readings, is not installed; "dev::" takes "dev:"', () => {
  // The rollback build ticked bn "dev:" as "dev:", the id under which it had restored bn "dev::"'s
  // window. Before 7 Dec 2026 (night) that middle window swapped with "dev" (apart in time), handing bn
  // "dev:"'s old window to bn "dev::"'s device, or stayed (overlapping) for that device to resume.
  const rename = (id: string) => (/[:/.]$/.test(id) && id.length > 1 ? id.slice(0, -1) : null);
  const w = (from: number, to: number) => ({ lastTs: to, ts: [from, to], head: 0, count: 2 });
  for (const [name, windows] of [['apart', [w(0, 10), w(20, 30), w(40, 50)]], ['overlapping', [w(0, 10), w(5, 30), w(20, 30)]]] as const) {
    const tree = { series: ['dev', 'dev:', 'dev::'].map((id, i) => ({ id, w: windows[i], was: id })) } as { idLayout?: number; series: Array<{ id: string; w: (typeof windows)[number]; was: string }> };
    assert.deepEqual(renameLegacyIds(tree, rename), [['dev:', ''], ['dev::', 'dev:']], name);
    assert.deepEqual(tree.series.map((e) => [e.was, e.id]), [['dev', 'dev'], ['dev::', 'dev:']], `${name}: each device's own window`);
  }
  const two = { series: [{ id: 'dev:' }, { id: 'dev::' }] } as { idLayout?: number; series: Array<{ id: string }> };
  assert.deepEqual(renameLegacyIds(two, rename), [['dev:', 'dev'], ['dev::', 'dev:']], 'no "dev": two devices of the old build, no rollback, both kept');
});
