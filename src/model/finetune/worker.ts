/**
 * The fine-tune trainer: its own tfjs instance holding the champion, the challenger being trained
 * and (after a promotion) the previous champion. It trains and scores; it never serves. It runs as
 * a child process (the default, `finetune.isolation: process`) or a worker thread; the same code
 * talks to `process` or `parentPort`. Requests are handled one at a time in arrival order (a
 * training round occupies the trainer; scoring requests wait behind it, serving never does).
 * `abort` and `supersede` messages are the exception: they take effect at once, between two
 * training steps, cutting short the duty-cycle rest in progress (a scoring rest they wake merely
 * ends early).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import type { ModelSpec } from '../../domain/types.ts';
import { HybridModel } from '../hybrid-model.ts';
import { exportOnnx } from '../onnx/export-hybrid.ts';
import { mulberry32 } from '../random.ts';
import { yieldToEventLoop } from '../train.ts';
import { runSteps, sampledBatches } from '../training-loop.ts';
import { Trainer, evaluatePaced, type TrainBatch } from './trainer.ts';
import type { ModelRole, WorkerReply, WorkerRequest, WorkerSignal } from './protocol.ts';

/** The channel to the serving side: the worker-thread port, else the child process's IPC. */
interface Channel {
  send(msg: unknown): void;
  onMessage(fn: (msg: unknown) => void): void;
  close(): void;
}
const channel: Channel = parentPort
  ? { send: (m) => parentPort!.postMessage(m), onMessage: (fn) => parentPort!.on('message', fn), close: () => parentPort!.close() }
  : // The service disconnects once it has the reply to `close`; 'disconnect' then ends the process.
    { send: (m) => process.send!(m), onMessage: (fn) => process.on('message', fn), close: () => undefined };
const isProcess = parentPort === null;
if (isProcess) {
  if (!process.send) throw new Error('the fine-tune trainer must be started by the service (no IPC channel)');
  // The service died or closed the channel: nothing left to train for. Never outlive it.
  process.on('disconnect', () => process.exit(0));
}
/** Set by an `abort` message: the running round (and any started while set) ends at its next step. */
let aborting = false;
/** Set by a `supersede` message: rounds started under an older champion generation end at their next step. */
let liveGen = 0;
let config: ResolvedHybridConfig | null = null;
let spec: ModelSpec | null = null;
const models: Partial<Record<ModelRole, HybridModel>> = {};

/**
 * Lower the trainer's scheduling priority. Under CPU contention serving then wins; when CPUs are
 * idle, training still runs at full speed. Linux niceness is per kernel thread: as a process, every
 * thread it has now (V8's GC and compiler helpers, libuv's pool) is reniced through
 * /proc/self/task, and threads started later inherit it from the main thread; as a worker thread,
 * only this thread (/proc/thread-self names it). Elsewhere, `setPriority(0, n)` (the whole process
 * on macOS). Returns the niceness set, or null where it could not be set.
 */
function lowerPriority(nice: number): number | null {
  if (nice <= 0) return 0;
  const n = Math.min(19, nice);
  try {
    if (process.platform !== 'linux') {
      if (!isProcess) return null;
      setPriority(0, n);
      return n;
    }
    const tids = isProcess ? readdirSync('/proc/self/task').map(Number) : [Number(readlinkSync('/proc/thread-self').split('/').pop())];
    for (const tid of tids) if (Number.isInteger(tid)) setPriority(tid, n);
    return n;
  } catch {
    return null;
  }
}

/** Rests in progress (their timers and wake-ups): an `abort` or `supersede` message ends them at once. */
const resting = new Map<ReturnType<typeof setTimeout>, () => void>();

/** Cut every rest in progress short (its timer cleared), so that a round being stopped ends now, not after its rest. */
function wakeRests(): void {
  for (const [timer, wake] of resting) {
    clearTimeout(timer);
    wake();
  }
  resting.clear();
}

/** Rest `ms`, or less when `wakeRests` is called meanwhile. */
function rest(ms: number): Promise<void> {
  return new Promise((res) => {
    const timer = setTimeout(() => {
      resting.delete(timer);
      res();
    }, ms);
    resting.set(timer, res);
  });
}

/**
 * The duty cycle as a function to await after each piece of work: it rests in proportion to the
 * time worked since it was made or last rested (work × (1 − duty) / duty), or at least yields to
 * the event loop so that an `abort` message is seen. At duty 0.15 a rest is 5.7 steps long: an
 * `abort` or `supersede` message wakes it (wakeRests), so a round ends within a step of it.
 */
function pacer(dutyCycle: number): () => Promise<void> {
  const duty = Math.min(1, Math.max(0.05, dutyCycle));
  let t0 = performance.now();
  return async () => {
    if (duty < 1) await rest(((performance.now() - t0) * (1 - duty)) / duty);
    else await yieldToEventLoop();
    t0 = performance.now();
  };
}

/** Scores under the duty cycle: each slice of pairs is followed by its rest. */
function score(model: HybridModel, b: TrainBatch, dutyCycle: number) {
  return evaluatePaced(model, b, pacer(dutyCycle));
}

function drop(role: ModelRole): void {
  models[role]?.dispose();
  delete models[role];
}

type TrainRequest = Extract<WorkerRequest, { type: 'train' }>;

/**
 * A training round: a challenger cloned from the champion takes `m.steps` steps on batches drawn
 * with replacement from the round's pairs (the shared loop, ../training-loop.ts), resting by the
 * duty cycle after each; then both are scored on the hold-out. An `abort` message ends it before
 * the next step (error code ABORTED); divergence ends it with TC_TRAINING_DIVERGED.
 */
async function trainRound(m: TrainRequest): Promise<WorkerReply> {
  const t0 = performance.now();
  drop('challenger');
  const champ = models.champion!;
  const ch = champ.clone();
  const trainer = new Trainer(ch, { learningRate: m.learningRate, maxGradNorm: m.maxGradNorm });
  const { W, F, H, T } = ch.dims;
  const losses: number[] = [];
  let gradNormMax = 0;
  try {
    const batches = sampledBatches({ x: m.train.x, y: m.train.y, n: m.train.batch }, { x: W * F, y: H * T }, m.steps, m.batchSize, mulberry32(m.seed));
    const r = await runSteps(batches, {
      step: (b) => trainer.step(b),
      stopBefore: () => aborting || m.gen < liveGen,
      onStep: (s) => {
        losses.push(s.loss);
        gradNormMax = Math.max(gradNormMax, s.gradNorm);
      },
      // Duty cycle: rest in proportion, leaving CPU to serving on small machines.
      pause: pacer(m.dutyCycle),
    });
    if (r.end === 'stopped') {
      const why = m.gen < liveGen ? 'the champion was replaced (its result would be discarded)' : 'fine-tuning paused (model pinned or service stopping)';
      throw Object.assign(new Error(`round aborted after ${r.steps} of ${m.steps} steps: ${why}`), { code: 'ABORTED' });
    }
  } catch (err) {
    ch.dispose();
    throw err;
  } finally {
    trainer.dispose();
  }
  models.challenger = ch;
  const holdout = { champion: await score(champ, m.holdout, m.dutyCycle), challenger: await score(ch, m.holdout, m.dutyCycle) };
  return { ok: true, trained: { losses, gradNormMax, seconds: (performance.now() - t0) / 1000, holdout, weights: ch.getWeights() } };
}

/** Summed MAE of each held model over the pairs, under the duty cycle. */
async function scoreRoles(m: Extract<WorkerRequest, { type: 'score' }>): Promise<WorkerReply> {
  const scores: Partial<Record<ModelRole, number>> = {};
  for (const role of m.roles) {
    const model = models[role];
    if (model) scores[role] = (await score(model, m.pairs, m.dutyCycle)).mae * m.pairs.batch;
  }
  return { ok: true, scores, count: m.pairs.batch };
}

/** A forward pass of one held model (the parity referee of an ONNX export; attention on request). */
async function predict(m: Extract<WorkerRequest, { type: 'predict' }>): Promise<WorkerReply> {
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

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  switch (m.type) {
    case 'init': {
      const nice = lowerPriority(m.nice);
      const b = await initBackend({ prefer: m.backend, nativeKernels: m.nativeKernels });
      config = m.config;
      spec = m.spec;
      drop('champion');
      models.champion = HybridModel.fromWeights(config, spec, m.weights);
      return { ok: true, backend: b.name, ...(b.matmul ? { matmul: b.matmul } : {}), nice };
    }
    case 'setChampion': {
      drop('challenger');
      drop('previous');
      drop('champion');
      models.champion = HybridModel.fromWeights(config!, spec!, m.weights);
      return { ok: true };
    }
    case 'train':
      return trainRound(m);
    case 'score':
      return scoreRoles(m);
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
      drop(m.role ?? 'challenger');
      return { ok: true };
    case 'predict':
      return predict(m);
    case 'export': {
      const model = models[m.role];
      if (!model) throw new Error(`no ${m.role} model in the fine-tune trainer`);
      return { ok: true, onnx: exportOnnx(model.getWeights(), config!, spec!, { version: m.version }) };
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

// One request at a time, in order; `abort` and `supersede` at once.
let chain: Promise<void> = Promise.resolve();
channel.onMessage((raw) => {
  const msg = raw as { id: number; req: WorkerRequest } | WorkerSignal;
  if ('abort' in msg) {
    aborting = msg.abort;
    if (aborting) wakeRests();
    return;
  }
  if ('supersede' in msg) {
    if (msg.supersede > liveGen) wakeRests();
    liveGen = Math.max(liveGen, msg.supersede);
    return;
  }
  chain = chain.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(msg.req);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      reply = { ok: false, error: { code: e.code, message: e.message ?? String(err) } };
    }
    channel.send({ id: msg.id, reply });
    if (msg.req.type === 'close') channel.close();
  });
});
