import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

async function backtest(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(['backtest', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

// README: train into <dir>/v1 and serve it with TICKCAST_MODEL_DIR=<dir>; detect takes <dir> as the
// service does. Until 6 Dec 2026 backtest refused it (exit 78, "holds no model … it has: v1; train
// one with tickcast train --out <dir>", which train then refuses too: <dir> is a checkpoint store).
describe('tickcast backtest --model on a service checkpoint store (v1, v2, …)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-bt-store-'));
    for (const [v, window] of [['v1', '24'], ['v2', '12']]) {
      const args = ['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', window, '--horizon', '6', '--out', join(dir, 'store', v)];
      assert.equal(await runCli(args, captureIo()), 0);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the newest version that loads, as detect and the service do, and names it in the result', async () => {
    const store = await backtest(['--data', fixture('five-minute.csv'), '--model', join(dir, 'store')]);
    assert.equal(store.code, 0, store.err);
    const direct = await backtest(['--data', fixture('five-minute.csv'), '--model', join(dir, 'store', 'v2')]);
    assert.equal(direct.code, 0, direct.err);
    const [a, b] = [JSON.parse(store.out), JSON.parse(direct.out)];
    assert.equal(a.model.dir, join(dir, 'store', 'v2'));
    assert.equal(a.model.spec.window, 12);
    assert.deepEqual(a.metrics, b.metrics);
  });

  it('a store with no version that holds a model is still refused (exit 78), naming what is there', async () => {
    const r = await backtest(['--data', fixture('five-minute.csv'), '--model', join(dir)]);
    assert.equal(r.code, 78);
    assert.equal(r.out, '');
    assert.match(r.err, /holds no model .*it has: store/);
  });
});
