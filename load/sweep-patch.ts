/**
 * `npm run bench:patch-sweep` — how the patch defaults were chosen (docs/model.md "Choosing the
 * patch defaults"): for each patch length/stride, train the default architecture on ETTh1
 * univariate (OT, look-back 336, horizon 96, standard split, warm-started linear skip) with the
 * same number of training windows and epochs, then report training steps/s and validation/test
 * MSE next to the closed-form linear model's test MSE on the same windows. Equal work per
 * variant, so the speed column is comparable within one run; accuracy after a short fixed schedule
 * is a screening signal, not a converged result (that is bench:accuracy).
 *
 * Options (after `--`): --variants 1/1,8/8,16/8,16/16,32/16 --window 336 --train-windows 2048
 *   --epochs 2 --seed 42 --json out.json. Skips with a message when ETTh1 is absent.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTable, prepare } from '../src/cli/dataset.ts';
import { fitHybrid } from '../src/cli/hybrid.ts';
import { windowStarts } from '../src/data/windows.ts';
import { runBacktest } from '../src/eval/backtest.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../src/eval/linear-baseline.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ETT = resolve(process.env.TICKCAST_ETT_DIR ?? resolve(repoRoot, '../shared/data/ett'), 'ETTh1.csv');
const H = 96;
const Q = [0.1, 0.5, 0.9];
const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '8/8,16/8,16/16,32/16' },
    window: { type: 'string', default: '336' },
    'train-windows': { type: 'string', default: '2048' },
    epochs: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
    json: { type: 'string' },
  },
});

async function main(): Promise<void> {
  if (!existsSync(ETT)) {
    console.log(`bench:patch-sweep skipped: ${ETT} not found (see ../shared/data/ett/README.md)`);
    return;
  }
  const W = Number(args.window);
  const data = prepare(await loadTable(ETT, { timeCol: 'date', features: ['OT'], targets: ['OT'] }), { kind: 'ett' }, W, H);
  const spec = { window: W, horizon: H, features: ['OT'], targets: ['OT'], quantiles: Q };
  const io = { stdout: process.stderr, stderr: process.stderr };
  const test = (predictor: LinearBaselinePredictor | Awaited<ReturnType<typeof fitHybrid>>['predictor']) =>
    runBacktest({ predictor, values: data.values, timesMs: data.table.timesMs, range: data.ranges.test, season: 24, scaleEndRow: data.borders.trainEnd, batchSize: 256 });
  const lin = fitLinearBaseline({
    values: data.values, features: ['OT'], targets: ['OT'], window: W, horizon: H, quantiles: Q,
    fitStarts: windowStarts(data.ranges.train.first, data.ranges.train.last),
    calibrationStarts: windowStarts(data.ranges.val.first, data.ranges.val.last),
  });
  const linMse = (await test(new LinearBaselinePredictor(lin))).model.overall.mse;
  console.log(`# patch sweep — ETTh1 S (OT), look-back ${W}, horizon ${H}, ${args['train-windows']} train windows × ${args.epochs} epochs, seed ${args.seed}`);
  console.log(`# closed-form linear model, same test windows: MSE ${linMse.toFixed(4)}`);
  console.log('| patch length/stride | tokens N | steps/s | train s | best val pinball | test MSE | test MSE / linear |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const rows = [];
  for (const v of args.variants!.split(',')) {
    const [length, stride] = v.split('/').map(Number);
    const fitted = await fitHybrid({
      data, spec, config: { patch: { length, stride } }, epochs: Number(args.epochs), batchSize: 32, lr: 1e-3, patience: 10,
      maxTrainWindows: Number(args['train-windows']), maxValWindows: 500, seed: Number(args.seed), backend: 'auto', io,
    });
    try {
      const s = fitted.summary;
      const mse = (await test(fitted.predictor as never)).model.overall.mse;
      const N = Math.floor((W - Math.min(length, W)) / stride) + 1;
      const row = { length, stride, N, stepsPerSec: s.steps / s.seconds, seconds: s.seconds, bestVal: s.bestValLoss, mse, ratio: mse / linMse };
      rows.push(row);
      console.log(`| ${length}/${stride} | ${N} | ${row.stepsPerSec.toFixed(2)} | ${s.seconds.toFixed(0)} | ${s.bestValLoss.toFixed(4)} | ${mse.toFixed(4)} | ${row.ratio.toFixed(3)} |`);
    } finally {
      await fitted.predictor.dispose();
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify({ window: W, linMse, rows }, null, 2));
}

await main();
