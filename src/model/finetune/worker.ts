/**
 * The fine-tune worker thread: its own tfjs instance holding the champion, the challenger being
 * trained and (after a promotion) the previous champion. It trains and scores; it never serves.
 * Requests are handled one at a time in arrival order (a training round occupies the thread;
 * scoring requests wait behind it, the serving thread never does).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import type { ModelSpec } from '../../domain/types.ts';
import { HybridModel } from '../hybrid-model.ts';
import { mulberry32 } from '../random.ts';
import { Trainer, evaluate, type TrainBatch } from './trainer.ts';
import type { ModelRole, WorkerReply, WorkerRequest } from './protocol.ts';

const port = parentPort!;
/** Set by the main thread to abort a running round (pin, stop). */
const abortFlag = (workerData as { abort?: Int32Array } | null)?.abort ?? new Int32Array(1);
let config: ResolvedHybridConfig | null = null;
let spec: ModelSpec | null = null;
const models: Partial<Record<ModelRole, HybridModel>> = {};

/**
 * Lower this thread's scheduling priority (Linux: niceness for this thread only; /proc/thread-self
 * names its kernel thread id). Under CPU contention the serving thread then wins; when CPUs are
 * idle, training still runs at full speed. Returns the niceness set, or null where unsupported.
 */
function lowerPriority(nice: number): number | null {
  if (nice <= 0) return 0;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid)) return null;
    setPriority(tid, Math.min(19, nice));
    return Math.min(19, nice);
  } catch {
    return null;
  }
}

function drop(role: ModelRole): void {
  models[role]?.dispose();
  delete models[role];
}

function batchOf(b: TrainBatch, idx: number[], W: number, H: number): TrainBatch {
  const x = new Float32Array(idx.length * W);
  const y = new Float32Array(idx.length * H);
  idx.forEach((r, i) => {
    x.set(b.x.subarray(r * W, (r + 1) * W), i * W);
    y.set(b.y.subarray(r * H, (r + 1) * H), i * H);
  });
  return { x, y, batch: idx.length };
}

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  switch (m.type) {
    case 'init': {
      const nice = lowerPriority(m.nice);
      const b = await initBackend({ prefer: m.backend });
      config = m.config;
      spec = m.spec;
      drop('champion');
      models.champion = HybridModel.fromWeights(config, spec, m.weights);
      return { ok: true, backend: b.name, nice };
    }
    case 'setChampion': {
      drop('challenger');
      drop('previous');
      drop('champion');
      models.champion = HybridModel.fromWeights(config!, spec!, m.weights);
      return { ok: true };
    }
    case 'train': {
      const t0 = performance.now();
      drop('challenger');
      const champ = models.champion!;
      const ch = champ.clone();
      const trainer = new Trainer(ch, { learningRate: m.learningRate, maxGradNorm: m.maxGradNorm });
      const duty = Math.min(1, Math.max(0.05, m.dutyCycle));
      const { W, H } = ch.dims;
      const rand = mulberry32(m.seed);
      const losses: number[] = [];
      let gradNormMax = 0;
      try {
        for (let s = 0; s < m.steps; s++) {
          if (Atomics.load(abortFlag, 0) !== 0) throw Object.assign(new Error(`round aborted after ${s} of ${m.steps} steps: fine-tuning paused (model pinned or service stopping)`), { code: 'ABORTED' });
          const idx = Array.from({ length: Math.min(m.batchSize, m.train.batch) }, () => Math.floor(rand() * m.train.batch));
          const s0 = performance.now();
          const r = trainer.step(batchOf(m.train, idx, W, H));
          losses.push(r.loss);
          gradNormMax = Math.max(gradNormMax, r.gradNorm);
          // Duty cycle: rest in proportion, leaving CPU to the serving thread on small machines.
          if (duty < 1) await new Promise((res) => setTimeout(res, ((performance.now() - s0) * (1 - duty)) / duty));
        }
      } catch (err) {
        ch.dispose();
        throw err;
      } finally {
        trainer.dispose();
      }
      models.challenger = ch;
      const holdout = { champion: evaluate(champ, m.holdout), challenger: evaluate(ch, m.holdout) };
      return { ok: true, trained: { losses, gradNormMax, seconds: (performance.now() - t0) / 1000, holdout, weights: ch.getWeights() } };
    }
    case 'score': {
      const scores: Partial<Record<ModelRole, number>> = {};
      for (const role of m.roles) {
        const model = models[role];
        if (model) scores[role] = evaluate(model, m.pairs).mae * m.pairs.batch;
      }
      return { ok: true, scores, count: m.pairs.batch };
    }
    case 'promote': {
      if (!models.challenger) throw new Error('no challenger to promote');
      drop('previous');
      models.previous = models.champion;
      models.champion = models.challenger;
      delete models.challenger;
      return { ok: true };
    }
    case 'revert': {
      if (!models.previous) throw new Error('no previous champion to revert to');
      drop('challenger');
      drop('champion');
      models.champion = models.previous;
      delete models.previous;
      return { ok: true };
    }
    case 'discard':
      drop('challenger');
      return { ok: true };
    case 'predict': {
      const model = models[m.role];
      if (!model) throw new Error(`no ${m.role} model in the fine-tune worker`);
      const { W, F } = model.dims;
      const x = tf.tensor3d(m.x, [m.batch, W, F]);
      const out = model.predict(x, { attention: m.attention });
      try {
        const y = (await out.y.data()) as Float32Array;
        return out.attention ? { ok: true, y, attention: (await out.attention.data()) as Float32Array } : { ok: true, y };
      } finally {
        x.dispose();
        out.y.dispose();
        out.attention?.dispose();
      }
    }
    case 'memory':
      return { ok: true, numTensors: tf.memory().numTensors };
    case 'close':
      drop('challenger');
      drop('previous');
      drop('champion');
      return { ok: true };
  }
}

// One request at a time, in order.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: { id: number; req: WorkerRequest }) => {
  chain = chain.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(msg.req);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      reply = { ok: false, error: { code: e.code, message: e.message ?? String(err) } };
    }
    port.postMessage({ id: msg.id, reply });
    if (msg.req.type === 'close') port.close();
  });
});
