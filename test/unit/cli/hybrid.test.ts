import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../../../src/cli/run-cli.ts';
import { loadTable, prepare } from '../../../src/cli/dataset.ts';
import { warmStartLinearSkip } from '../../../src/cli/hybrid.ts';
import { makeWindows, windowStarts } from '../../../src/data/windows.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../../../src/eval/linear-baseline.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { captureIo } from './capture.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

describe('tickcast train/backtest with the hybrid tfjs model', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-hybrid-'));
    await initBackend({ prefer: 'auto' });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains with early stopping, saves a verified artifact with the statistics, backtests it', async () => {
    const out = join(dir, 'm');
    const t = captureIo();
    const args = ['train', '--data', fixture('hourly-demand.csv'), '--window', '24', '--horizon', '6', '--d-model', '8', '--heads', '2', '--epochs', '2', '--batch-size', '32', '--max-train-windows', '128', '--out', out];
    assert.equal(await runCli(args, t), 0, t.err());
    const res = JSON.parse(t.out());
    assert.equal(res.arch, 'hybrid');
    assert.equal(res.training.trainWindowsUsed, 128);
    assert.ok(res.training.epochsRun >= 1 && res.training.epochsRun <= 2);
    assert.ok(res.training.bestValLoss <= res.training.initialValLoss);
    assert.match(t.err(), /epoch 1: train loss [\d.]+, val pinball [\d.]+/);
    const manifest = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    assert.deepEqual(manifest.normalisation, { method: 'zscore', mean: res.normalisation.mean, std: res.normalisation.std });
    assert.equal(manifest.training.data.split, '0.7,0.1,0.2');

    const before = tf.memory().numTensors;
    const b = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('hourly-demand.csv'), '--model', out, '--stride', '4'], b), 0, b.err());
    const bt = JSON.parse(b.out());
    assert.equal(bt.model.kind, 'hybrid');
    assert.equal(bt.model.engine, 'tfjs');
    assert.equal(bt.windows, Math.floor((144 - 6) / 4) + 1);
    assert.ok(Number.isFinite(bt.metrics.overall.mse));
    // warm-started from least squares, it must beat repeat-last on a seasonal series
    assert.ok(bt.metrics.overall.mse < bt.baselines.repeatLast.overall.mse, `${bt.metrics.overall.mse} vs ${bt.baselines.repeatLast.overall.mse}`);
    assert.equal(tf.memory().numTensors, before, 'backtest leaked tensors');

    // a truncated weights file is refused with a clear error (exit 78)
    await truncate(join(out, 'weights.bin'), 100);
    const c = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('hourly-demand.csv'), '--model', out], c), 78);
    assert.match(c.err(), /weights\.bin has 100 bytes/);
  });

  it('--ema-epochs validates the averaged weights: the same training steps, other validation losses', async () => {
    const args = (out: string, extra: string[]) => ['train', '--data', fixture('hourly-demand.csv'), '--window', '24', '--horizon', '6', '--d-model', '8', '--heads', '2', '--epochs', '2', '--patience', '5', '--batch-size', '32', '--max-train-windows', '128', ...extra, '--out', join(dir, out)];
    const a = captureIo();
    assert.equal(await runCli(args('last', []), a), 0, a.err());
    const b = captureIo();
    assert.equal(await runCli(args('ema', ['--ema-epochs', '1']), b), 0, b.err());
    const last = JSON.parse(a.out()).training;
    const ema = JSON.parse(b.out()).training;
    assert.deepEqual(ema.trainLosses, last.trainLosses);
    assert.equal(ema.valLosses.length, 2);
    assert.notDeepEqual(ema.valLosses, last.valLosses);
    const c = captureIo();
    assert.equal(await runCli(args('bad', ['--ema-epochs', '-1']), c), 64);
  });

  it('warm start: before any training the hybrid forecasts almost what the least-squares linear model does', async () => {
    const table = await loadTable(fixture('hourly-demand.csv'), {});
    const data = prepare(table, { kind: 'fractions', train: 0.7, val: 0.1, test: 0.2 }, 24, 6);
    const spec = { window: 24, horizon: 6, features: table.features, targets: table.targets, quantiles: [0.1, 0.5, 0.9] };
    const model = HybridModel.create(resolveHybridConfig({ dModel: 8, transformer: { heads: 2 } }), spec, 1);
    try {
      const starts = windowStarts(data.ranges.test.first, data.ranges.test.last);
      const ws = makeWindows(data.values, { window: 24, horizon: 6, features: 3, targetIndex: [2] }, starts);
      const p50 = (m: HybridModel): Float32Array =>
        tf.tidy(() => {
          const y = m.predict(tf.tensor3d(ws.x, [ws.n, 24, 3])).y;
          return y.slice([0, 0, 0, 1], [ws.n, 6, 1, 1]).dataSync() as Float32Array;
        });
      const cold = p50(model);
      await warmStartLinearSkip(model, data, spec);
      const warm = p50(model);
      const lin = new LinearBaselinePredictor(
        fitLinearBaseline({ values: data.values, features: spec.features, targets: spec.targets, window: 24, horizon: 6, quantiles: [0.5], fitStarts: windowStarts(data.ranges.train.first, data.ranges.train.last), calibrationStarts: new Int32Array(0) }),
      );
      const linY = (await lin.predict({ x: ws.x, batch: ws.n })).y;
      const msd = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
        let s = 0;
        for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
        return s / a.length;
      };
      // cold start ≈ repeat-last (far from the linear fit); warm start ≈ the linear fit
      assert.ok(msd(warm, linY) < 0.1 * msd(cold, linY), `warm ${msd(warm, linY)} vs cold ${msd(cold, linY)}`);
    } finally {
      model.dispose();
    }
  });
});
