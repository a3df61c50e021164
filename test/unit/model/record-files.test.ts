/**
 * A damaged pinned.json or current.json in model.dir: TC_MODEL_ARTIFACT_CORRUPT naming the file and
 * what to do (docs/errors.md). Until 7 Dec 2026 a bare SyntaxError ("Unexpected token…") or
 * Error("pinned.json names no version"), with no code, reached the start-up and follow log lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPin, writePin } from '../../../src/model/pin-file.ts';
import { readCurrentRecord, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { directoryTarget } from '../../../src/model/shared-dir/coordinator.ts';
import { ErrorCodes } from '../../../src/errors/index.ts';

const DAMAGED = [['{"version":"v3"', /is not valid JSON/], ['[]', /is not a JSON object/], ['null', /is not a JSON object/], ['{}', /names no version/], ['{"version":""}', /names no version/]] as const;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tickcast-records-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a damaged pinned.json or current.json is TC_MODEL_ARTIFACT_CORRUPT naming the file and the remedy', async () => {
  await withDir(async (dir) => {
    for (const [text, why] of DAMAGED) {
      await writeFile(path.join(dir, 'pinned.json'), text);
      await assert.rejects(readPin(dir), (e: Error & { code?: string }) => {
        assert.equal(e.code, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `pinned.json ${text}: ${e.message}`);
        assert.match(e.message, why);
        assert.ok(e.message.includes(path.join(dir, 'pinned.json')), e.message);
        assert.match(e.message, /delete it to unpin/);
        return true;
      });
      await writeFile(path.join(dir, 'current.json'), text);
      await assert.rejects(readCurrentRecord(dir), (e: Error & { code?: string }) => {
        assert.equal(e.code, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `current.json ${text}: ${e.message}`);
        assert.match(e.message, why);
        assert.match(e.message, /current\.json .*; delete it/);
        return true;
      });
      // What the follow loop reads: the pin decides, so the damaged pin is the error it logs.
      await assert.rejects(directoryTarget(dir), { code: ErrorCodes.MODEL_ARTIFACT_CORRUPT });
    }
    // Sound records still read, and an absent one is none.
    await writePin(dir, 'v2');
    await writeCurrent(dir, 'v3', 'test');
    assert.equal(await readPin(dir), 'v2');
    assert.equal((await readCurrentRecord(dir))?.version, 'v3');
    await writePin(dir, null);
    assert.equal(await readPin(dir), null);
  });
});
