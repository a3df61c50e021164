/**
 * `npm run bench:onnx-workers` — ONNX serving on more than one core in one process (issue 12
 * follow-up, docs/inference.md). onnxruntime-node runs `session.run` synchronously on the calling
 * thread, so in-process batches in flight take turns; `model.onnxWorkers` gives each serving thread
 * its own session. Same run, interleaved rounds, the shipped pretrained model (window 64, patches
 * 16/8) at the default micro-batch (64 windows): windows/s with `inFlight` calls kept in flight,
 * and the main thread's event-loop delay p99 meanwhile (what Kafka and HTTP handling wait), for
 *   - in process (`onnxWorkers` 0, the default; baseline),
 *   - a pool of 1 and of 2 serving threads (intra-op threads 1 each).
 * Options (after `--`): --seconds 3 --rounds 3 --batch 64 --in-flight 2 --threads 1,2
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadArtifactWeights } from '../src/model/artifact.ts';
import { exportOnnx } from '../src/model/onnx/export-hybrid.ts';
import { OnnxPoolPredictor } from '../src/model/onnx/onnx-pool.ts';
import { OnnxPredictor } from '../src/model/onnx/onnx-predictor.ts';
import { PRETRAINED_DIR } from '../src/model/pretrained.ts';
import type { Predictor } from '../src/pipeline/ports.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    'in-flight': { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' },
  },
});
const SECONDS = Number(args.seconds);
const B = Number(args.batch);
const IN_FLIGHT = Number(args['in-flight']);

async function measure(p: Predictor, x: Float32Array): Promise<{ wps: number; lagP99: number }> {
  for (let i = 0; i < 5; i++) await p.predict({ x, batch: B });
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < end) {
      await p.predict({ x, batch: B });
      n++;
    }
  }));
  const sec = (performance.now() - t0) / 1000;
  h.disable();
  return { wps: (n * B) / sec, lagP99: h.percentile(99) / 1e6 };
}

async function main(): Promise<void> {
  console.log(`# bench:onnx-workers — ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} logical CPUs, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  const { manifest, weights } = await loadArtifactWeights(join(PRETRAINED_DIR, 'default'));
  const spec = manifest.spec;
  const bytes = exportOnnx(weights, manifest.config, spec, { version: manifest.version });
  const x = new Float32Array(B * spec.window * spec.features.length).map((_, i) => 50 + 10 * Math.sin(i / 7) + ((i * 7919) % 13) / 13);
  console.log(`model ${manifest.version} (window ${spec.window}, horizon ${spec.horizon}), batch ${B}, ${IN_FLIGHT} calls in flight, ${SECONDS} s per cell, ${args.rounds} rounds`);
  const variants: Array<[string, () => Promise<Predictor>]> = [
    ['in process (onnxWorkers 0, baseline)', () => OnnxPredictor.fromBytes(bytes, { spec, version: 'b', intraOpThreads: 1 })],
    ...args.threads!.split(',').map(Number).map((t): [string, () => Promise<Predictor>] => [`pool of ${t} serving thread${t > 1 ? 's' : ''}`, () => OnnxPoolPredictor.create(bytes, { spec, version: 'b', threads: t })]),
  ];
  const results = new Map<string, Array<{ wps: number; lagP99: number }>>();
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const [name, make] of variants) {
      const p = await make();
      const m = await measure(p, x);
      await p.dispose();
      results.set(name, [...(results.get(name) ?? []), m]);
      console.log(`  round ${r + 1}: ${name.padEnd(38)} ${m.wps.toFixed(0).padStart(8)} windows/s, event-loop delay p99 ${m.lagP99.toFixed(1)} ms`);
    }
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const base = med(results.get(variants[0][0])!.map((m) => m.wps));
  console.log('\nmedian of the rounds:');
  for (const [name] of variants) {
    const ms = results.get(name)!;
    const w = med(ms.map((m) => m.wps));
    console.log(`  ${name.padEnd(38)} ${w.toFixed(0).padStart(8)} windows/s  ×${(w / base).toFixed(2)} vs in process   event-loop delay p99 ${med(ms.map((m) => m.lagP99)).toFixed(1)} ms`);
  }
}

await main();
