// A `tickcast train --arch linear` output placed in model.dir as a version: the service cannot
// serve it, and the refusal must say why and what to train instead (not "model.json is missing").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckpointStore, LINEAR_BASELINE_FILE } from '../../../src/model/checkpoints.ts';
import { LINEAR_FILE } from '../../../src/cli/model-dir.ts';
import { LINEAR_FORMAT } from '../../../src/eval/linear-baseline.ts';

test('a linear baseline in model.dir is refused as unservable, naming train --arch hybrid', async (t) => {
  assert.equal(LINEAR_BASELINE_FILE, LINEAR_FILE, 'the file the CLI writes');
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-linear-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'v1'));
  writeFileSync(path.join(dir, 'v1', LINEAR_FILE), JSON.stringify({ format: LINEAR_FORMAT }));
  const warnings: string[] = [];
  const store = new CheckpointStore({ dir, keep: 3, log: (_level, msg) => warnings.push(msg) });

  await assert.rejects(store.load('v1'), (err: { code: string; message: string }) => {
    assert.equal(err.code, 'TC_MODEL_ARTIFACT_CORRUPT');
    assert.match(err.message, /holds a linear baseline \(linear-baseline\.json, from "tickcast train --arch linear"\)/);
    assert.match(err.message, /serves hybrid models only/);
    // A new version above the others (until 6 Dec 2026 the hint named this v1 itself, which train
    // refuses without --force and which, older than the version the service adds, would not be served).
    assert.ok(err.message.includes(`"tickcast train --arch hybrid --out ${path.join(dir, 'vN')}", N above every version there (the newest is served)`), err.message);
    assert.doesNotMatch(err.message, /model\.json is missing/);
    return true;
  });
  // What GET /v1/model lists under damagedVersions, and what the start-up log says.
  const { damaged } = await store.listVerified();
  assert.deepEqual(damaged.map((d) => d.version), ['v1']);
  assert.match(damaged[0].reason, /serves hybrid models only/);
  assert.equal(await store.loadNewestGood(), null);
  assert.match(warnings.join('\n'), /checkpoint v1 refused \(TC_MODEL_ARTIFACT_CORRUPT\): .*train --arch hybrid/);
});

test('a version missing model.json without a linear baseline keeps the corrupt-artifact message', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-linear-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'v1'));
  writeFileSync(path.join(dir, 'v1', 'weights.bin'), Buffer.alloc(8));
  const store = new CheckpointStore({ dir, keep: 3 });
  await assert.rejects(store.load('v1'), /model\.json is missing; re-export it or train again/);
});
