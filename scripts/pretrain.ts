/**
 * `npm run pretrain` — trains the default serving model shipped in models/pretrained/ (see
 * src/model/pretrained.ts and docs/model.md "Pretrained default model"). Reproducible: seeded data,
 * seeded initialisation and shuffling, a fixed number of epochs (no wall-clock budget), so the
 * same command gives the same weights on the same tfjs backend.
 *
 * Data, all with licences that let the weights ship: synthetic series generated in code
 * (src/model/pretrain/synth.ts: trends, 1–3 seasonalities, AR noise, level shifts, spikes,
 * random-walk segments) plus the bundled NYC taxi sample (NAB, MIT). M4/ETT are evaluation-only
 * and never read here. Every series is z-scored with its own statistics (the pipeline normalises
 * per series too), cut into (window, horizon) pairs; validation = held-out synthetic series + the
 * last 10 % of the sample. Early stopping on validation pinball, best weights kept.
 *
 * Options: --series 150 --length 800 --stride 8 --epochs 2 --patience 2 --batch 64 --lr 2e-3
 *   --seed 42 --out models/pretrained --max-minutes (safety stop only; off by default)
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/model/backend.ts';
import { BOOTSTRAP_SAMPLE, naiveMae, pairsFromSeries, readValueColumn, zscore } from '../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../src/model/config.ts';
import { saveArtifact } from '../src/model/artifact.ts';
import { createModel } from '../src/model/hybrid-model.ts';
import { synthSeries } from '../src/model/pretrain/synth.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { fit } from '../src/model/fit.ts';
import type { Dataset } from '../src/model/train.ts';
import { MANIFEST_FILE, WEIGHTS_FILE } from '../src/model/artifact.ts';

const { values: a } = parseArgs({
  options: {
    series: { type: 'string', default: '150' },
    length: { type: 'string', default: '800' },
    stride: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '2' },
    patience: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '2e-3' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: 'models/pretrained' },
    'max-minutes': { type: 'string' },
  },
});
const SEED = Number(a.seed);
const W = DEFAULT_SPEC.window;
const H = DEFAULT_SPEC.horizon;

/** Concatenate pair sets. */
function concat(parts: { x: Float32Array; y: Float32Array; batch: number }[]): Dataset {
  const n = parts.reduce((s, p) => s + p.batch, 0);
  const x = new Float32Array(n * W);
  const y = new Float32Array(n * H);
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * W);
    y.set(p.y, o * H);
    o += p.batch;
  }
  return { x, y, n };
}

function build(): { train: Dataset; val: Dataset; mix: Record<string, unknown> } {
  const nSeries = Number(a.series);
  const nVal = Math.max(1, Math.round(nSeries * 0.1));
  const stride = Number(a.stride);
  type Pairs = ReturnType<typeof pairsFromSeries>;
  const train: Pairs[] = [];
  const val: Pairs[] = [];
  for (let i = 0; i < nSeries + nVal; i++) {
    const z = zscore(synthSeries({ length: Number(a.length), seed: SEED * 100_003 + i }));
    (i < nSeries ? train : val).push(pairsFromSeries(z, W, H, i < nSeries ? stride : stride * 4));
  }
  const taxi = zscore(readValueColumn(BOOTSTRAP_SAMPLE));
  const cut = Math.floor(taxi.length * 0.9);
  // The real sample: every second pair (about a fifth of the mix).
  train.push(pairsFromSeries(taxi.subarray(0, cut), W, H, 2));
  val.push(pairsFromSeries(taxi.subarray(cut - W), W, H, 4));
  return { train: concat(train), val: concat(val), mix: { syntheticSeries: nSeries, syntheticValSeries: nVal, length: Number(a.length), stride, sample: 'nyc_taxi (NAB, MIT), first 90 %, stride 2' } };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function main(): Promise<void> {
  const be = await initBackend({ prefer: 'wasm' });
  const config = resolveHybridConfig({});
  const { train, val, mix } = build();
  console.log(`pretrain: ${train.n} train pairs, ${val.n} val pairs, window ${W}, horizon ${H}, patch ${config.patch.length}/${config.patch.stride}, backend ${be.name}, seed ${SEED}`);
  const model = createModel(config, DEFAULT_SPEC, SEED);
  const ac = new AbortController();
  const timer = a['max-minutes'] ? setTimeout(() => ac.abort(new Error('max-minutes')), Number(a['max-minutes']) * 60_000) : null;
  const res = await fit(model, train, {
    epochs: Number(a.epochs),
    batchSize: Number(a.batch),
    val,
    earlyStoppingPatience: Number(a.patience),
    lr: Number(a.lr),
    seed: SEED,
    signal: ac.signal,
    onProgress: (p) => {
      if (p.valLoss !== undefined || p.step % 100 === 0) console.log(`  epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)}${p.valLoss !== undefined ? ` val ${p.valLoss.toFixed(4)}` : ''}`);
    },
  });
  if (timer) clearTimeout(timer);
  const ev = evaluate(model, val);
  const naive = naiveMae({ x: val.x, y: val.y, batch: val.n }, W, H);
  console.log(`pretrain: ${res.epochsRun} epochs (best ${res.bestEpoch}, ${res.stopReason}), ${res.steps} steps, ${res.stepsPerSecond.toFixed(2)} steps/s; val MAE ${ev.mae.toFixed(4)} vs naive ${naive.toFixed(4)} (ratio ${(ev.mae / naive).toFixed(3)})`);
  const version = `pretrained-${config.patch.length}x${config.patch.stride}-s${SEED}`;
  const out = path.resolve(a.out!);
  const training = {
    command: `npm run pretrain -- ${process.argv.slice(2).join(' ')}`.trim(),
    seed: SEED,
    data: mix,
    epochsRun: res.epochsRun,
    bestEpoch: res.bestEpoch,
    stopReason: res.stopReason,
    steps: res.steps,
    trainLosses: res.trainLosses,
    valLosses: res.valLosses,
    valMae: ev.mae,
    valNaiveMae: naive,
    ratioToNaive: ev.mae / naive,
    backend: be.name,
    // Bit-for-bit reproducible with the same kernels: OpenBLAS, the addon's own loop and wasm
    // round differently (docs/native-kernels.md).
    ...(be.matmul ? { matmul: be.matmul } : {}),
  };
  const artifact = path.join(out, 'default');
  await mkdir(out, { recursive: true });
  // A fixed createdAt keeps the artifact byte-identical across reruns with the same result.
  await saveArtifact(artifact, model, { version, training, createdAt: new Date(0) });
  model.dispose();
  const sums = {
    [MANIFEST_FILE]: sha256(await readFile(path.join(artifact, MANIFEST_FILE))),
    [WEIGHTS_FILE]: sha256(await readFile(path.join(artifact, WEIGHTS_FILE))),
  };
  const index = { format: 'tickcast-pretrained', version, artifact: 'default', sha256: sums, training: { ...training, trainLosses: undefined, valLosses: undefined } };
  await writeFile(path.join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  console.log(`pretrain: wrote ${artifact} (${version}); index ${path.join(out, 'index.json')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
