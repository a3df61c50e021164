/**
 * `npm run bench:train` — training speed of the hybrid model (issue 12): steps/s and windows/s of
 * one training step (forward, pinball loss, backward, clipping, Adam) on the default architecture
 * (dModel 32, BiLSTM 48 × 2 directions × 2 layers, 1 encoder layer), univariate, horizon 96 × 3
 * quantiles, batch 64, at look-back 96 and 336: the per-step model (patch length 1, what shipped
 * before patch tokens) against the default patches — both in this run, interleaved over rounds so
 * a change in machine load hits both — and the same shapes in PyTorch (load/pytorch/train_bench.py)
 * when `python3 -c "import torch"` works (Debian: apt-get install python3-torch
 * libopenblas0-pthread); otherwise that part is skipped with a message. On wasm, every tfjs shape
 * runs twice: with tickcast's native kernel addon (docs/native-kernels.md; the default when it is
 * built) and with the backend's own kernels (model.nativeKernels=false), switched in this process.
 *
 * Options (after `--`): --rounds 3 --min-seconds 4 --batch 64 --windows 96,336
 *   --patch 16/8 (the patched variant; default: the model's default patch) --torch-threads 1,2
 *   --no-torch --json out.json
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../src/domain/types.ts';
import { initBackend, useNativeKernels } from '../src/model/backend.ts';
import { nativeKernelsStatus } from '../src/model/native-kernels.ts';
import { DEFAULT_HYBRID_CONFIG } from '../src/model/config.ts';
import { createModel } from '../src/model/hybrid-model.ts';
import { createOptimizer, trainStep } from '../src/model/train.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'min-seconds': { type: 'string', default: '4' },
    batch: { type: 'string', default: '64' },
    windows: { type: 'string', default: '96,336' },
    patch: { type: 'string' },
    'torch-threads': { type: 'string', default: '1,2' },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const MIN_S = Number(args['min-seconds']);
const BATCH = Number(args.batch);
const HORIZON = 96;
const WINDOWS = args.windows!.split(',').map(Number);
const def = DEFAULT_HYBRID_CONFIG.patch;
const [pl, ps] = (args.patch ?? `${def.length}/${def.stride ?? def.length}`).split('/').map(Number);
const VARIANTS = [
  { name: 'patch 1 (per step, before)', length: 1, stride: 1 },
  { name: `patch ${pl}/${ps ?? pl} (default)`, length: pl, stride: ps ?? pl },
];

interface Row {
  engine: string;
  /** tfjs rows: whether tickcast's native kernels were on. */
  native?: boolean;
  window: number;
  variant: string;
  patchLength: number;
  patchStride: number;
  stepsPerSec: number[];
}

function batchFor(W: number, seed: number): { x: Float32Array; y: Float32Array; batch: number } {
  const x = new Float32Array(BATCH * W);
  const y = new Float32Array(BATCH * HORIZON);
  let s = seed;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let b = 0; b < BATCH; b++) {
    const ph = rnd() * 6;
    for (let t = 0; t < W + HORIZON; t++) {
      const v = Math.sin(t / 10 + ph) + 0.1 * (rnd() - 0.5);
      if (t < W) x[b * W + t] = v;
      else y[b * HORIZON + t - W] = v;
    }
  }
  return { x, y, batch: BATCH };
}

/** Steps/s of one configuration: a warm-up step, then steps until MIN_S seconds (at least 2). */
function measureTfjs(W: number, length: number, stride: number): number {
  const spec: ModelSpec = { window: W, features: ['v'], targets: ['v'], horizon: HORIZON, quantiles: [0.1, 0.5, 0.9] };
  const model = createModel({ patch: { length, stride } }, spec, 1);
  const opt = createOptimizer(1e-3);
  const b = batchFor(W, 7);
  try {
    trainStep(model, opt, b);
    let n = 0;
    const t0 = performance.now();
    while (n < 2 || performance.now() - t0 < MIN_S * 1000) {
      trainStep(model, opt, b);
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** A Python that imports torch: $TICKCAST_PYTHON, python3 on PATH, or Debian's /usr/bin/python3 (where apt puts python3-torch when PATH has a pyenv shim). */
let python = 'python3';
function torchAvailable(): string | null {
  for (const candidate of [process.env.TICKCAST_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    try {
      const v = execFileSync(candidate, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      python = candidate;
      return v;
    } catch {
      // try the next one
    }
  }
  return null;
}

function measureTorch(threads: number): Row[] {
  const shapes = WINDOWS.flatMap((W) => VARIANTS.map((v) => ({ window: W, horizon: HORIZON, batch: BATCH, patchLength: v.length, patchStride: v.stride })));
  const out = execFileSync(python, [resolve(here, 'pytorch/train_bench.py'), JSON.stringify({ threads, minSeconds: MIN_S, shapes })], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { results: { window: number; patchLength: number; patchStride: number; stepsPerSec: number }[] };
  return r.results.map((x) => ({
    engine: `pytorch ${threads} thread${threads > 1 ? 's' : ''}`,
    window: x.window,
    variant: VARIANTS.find((v) => v.length === x.patchLength && v.stride === x.patchStride)!.name,
    patchLength: x.patchLength,
    patchStride: x.patchStride,
    stepsPerSec: [x.stepsPerSec],
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));

async function main(): Promise<void> {
  const be = await initBackend({ prefer: 'auto' });
  console.log(`# bench:train — batch ${BATCH}, horizon ${HORIZON} × 3 quantiles, dModel 32, BiLSTM 48×2×2, 1 encoder layer; ${ROUNDS} rounds, ≥${MIN_S} s each`);
  console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}, tfjs backend ${tf.getBackend()} (${be.source})`);
  const rows: Row[] = [];
  const status = nativeKernelsStatus();
  const kernelModes = tf.getBackend() === 'wasm' && status.loaded ? [true, false] : [false];
  console.log(`# native kernels: ${status.loaded ? `${status.blas}, ${status.threads} thread(s)` : status.reason}`);
  const engineName = (native: boolean) => `tfjs ${tf.getBackend()}${native ? ' + native kernels' : ''}`;
  for (const W of WINDOWS)
    for (const v of VARIANTS)
      for (const native of kernelModes) rows.push({ engine: engineName(native), native, window: W, variant: v.name, patchLength: v.length, patchStride: v.stride, stepsPerSec: [] });
  const torch = args['no-torch'] ? null : torchAvailable();
  if (args['no-torch']) console.log('# PyTorch: skipped (--no-torch)');
  else if (!torch) console.log('# PyTorch: skipped — python3 cannot import torch (Debian: apt-get install python3-torch libopenblas0-pthread)');
  const tfjsRows = [...rows];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order each round so a load change does not always hit the same variant, and
    // measure PyTorch inside every round too (not once at the end, where a change in the
    // machine's load would hit only one side of the ratio).
    const order = r % 2 === 0 ? tfjsRows : [...tfjsRows].reverse();
    for (const row of order) {
      useNativeKernels(row.native === true);
      row.stepsPerSec.push(measureTfjs(row.window, row.patchLength, row.patchStride));
      console.log(`  round ${r + 1}: ${row.engine} W=${row.window} ${row.variant}: ${fmt(row.stepsPerSec.at(-1)!)} steps/s`);
    }
    if (!torch) continue;
    for (const th of args['torch-threads']!.split(',').map(Number)) {
      for (const x of measureTorch(th)) {
        const row = rows.find((o) => o.engine === x.engine && o.window === x.window && o.patchLength === x.patchLength);
        if (row) row.stepsPerSec.push(...x.stepsPerSec);
        else rows.push(x);
        console.log(`  round ${r + 1}: ${x.engine} (torch ${torch}) W=${x.window} ${x.variant}: ${fmt(x.stepsPerSec[0])} steps/s`);
      }
    }
  }
  console.log('\n| engine | look-back | variant | steps/s (median) | windows/s | s/step |');
  console.log('|---|---|---|---|---|---|');
  for (const x of rows) {
    const m = median(x.stepsPerSec);
    console.log(`| ${x.engine} | ${x.window} | ${x.variant} | ${fmt(m)} | ${(m * BATCH).toFixed(1)} | ${(1 / m).toFixed(2)} |`);
  }
  const get = (engine: string, W: number, length: number) => rows.find((x) => x.engine === engine && x.window === W && x.patchLength === length);
  const best = engineName(kernelModes[0]);
  const plain = engineName(false);
  const rate = (r: Row | undefined) => (r ? median(r.stepsPerSec) : NaN);
  console.log('\nRatios (same run):');
  for (const W of WINDOWS) {
    const a = get(plain, W, 1);
    const b = get(best, W, pl);
    if (!a || !b) continue;
    const ratio = rate(b) / rate(a);
    console.log(`  W=${W}: ${best} default patches / ${plain} per-step (before) = ${ratio.toFixed(1)}×${W === 336 ? ` (target ≥ 10×: ${ratio >= 10 ? 'met' : 'missed'})` : ''}`);
    if (best !== plain) {
      console.log(`  W=${W}: same kernels, default patches / per-step = ${(rate(b) / rate(get(best, W, 1))).toFixed(1)}× (native kernels), ${(rate(get(plain, W, pl)) / rate(a)).toFixed(1)}× (wasm kernels)`);
      console.log(`  W=${W}: native kernels / wasm kernels, default patches = ${(rate(b) / rate(get(plain, W, pl))).toFixed(2)}×, per-step = ${(rate(get(best, W, 1)) / rate(a)).toFixed(2)}×`);
    }
    for (const e of [...new Set(rows.filter((x) => x.engine.startsWith('pytorch')).map((x) => x.engine))]) {
      const t = get(e, W, pl);
      if (t) console.log(`  W=${W}: tfjs default patches / ${e} same shape = ${(rate(b) / rate(t)).toFixed(2)}× (target ≥ 1×)`);
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify({ rows, batch: BATCH }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
