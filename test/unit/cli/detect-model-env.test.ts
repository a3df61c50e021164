// `tickcast detect` without --model takes the configuration's model.dir (TICKCAST_MODEL_DIR). Until
// 6 Dec 2026 a wrong one was "no model directory at "/x"; train one …", naming a path the command
// line never gave; now the message says where the path came from (the exit code is the same).
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

let dir: string;
withoutTickcastEnv();
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickcast-detect-env-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a missing TICKCAST_MODEL_DIR is named as the configuration\'s, exit 66; the same path given as --model is not', async () => {
  const data = join(dir, 'nab.csv');
  await writeFile(data, 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,2\n');
  const missing = join(dir, 'no-models');
  process.env.TICKCAST_MODEL_DIR = missing;
  const io = captureIo();
  assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r.csv')], io), 66);
  assert.equal(io.err(), `tickcast detect: no model directory at ${JSON.stringify(missing)}; train one with "tickcast train --data file.csv --out ${missing}" (the model directory of the configuration, model.dir / TICKCAST_MODEL_DIR, as --model was not given) [TC_MODEL_NOT_LOADED]\n`);
  delete process.env.TICKCAST_MODEL_DIR;
  const flag = captureIo();
  assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r.csv'), '--model', missing], flag), 66);
  assert.doesNotMatch(flag.err(), /TICKCAST_MODEL_DIR/);
});
