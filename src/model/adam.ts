/**
 * Adam, the same update as tf.train.adam (β1 0.9, β2 0.999, ε 1e-7, bias correction through the
 * running products β^t), with global-norm clipping folded in, done in JS over Float32Arrays: one
 * read of each gradient and variable and one assign per variable per step. Why: tfjs applies Adam
 * with ~12 tensor ops per variable and clipping with ~3 more; the default model has 42 variables,
 * so ~600 op calls a step, each tens of µs of engine overhead on wasm (6–8 ms of a 30–65 ms step),
 * for ~0.2 M parameters that a JS loop updates in well under a millisecond.
 *
 * The moments live in JS, owned here; a variable assigned from outside between steps (a restored
 * snapshot) is simply read again at the next step. Not thread-safe, not shared between models.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * Keep an exponential moving average of the weights (Polyak averaging, as in Izmailov et al.'s
   * SWA and the EMA weights of many training recipes) with this decay per step; 0 (default) keeps
   * none. `averaged()` hands it out. One model, not an ensemble: the average of nearby points of
   * one trajectory.
   */
  emaDecay?: number;
}

export class Adam {
  /** May be changed between steps (trainSteps' `lr`). */
  learningRate: number;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #emaDecay: number;
  readonly #ema = new Map<string, Float32Array>();
  /** β1^t and β2^t for the step about to be taken (t starts at 1), as tfjs keeps them. */
  #accBeta1: number;
  #accBeta2: number;
  readonly #m = new Map<string, Float32Array>();
  readonly #v = new Map<string, Float32Array>();

  constructor(learningRate: number, opts: AdamOptions = {}) {
    this.learningRate = learningRate;
    this.#beta1 = opts.beta1 ?? 0.9;
    this.#beta2 = opts.beta2 ?? 0.999;
    this.#epsilon = opts.epsilon ?? 1e-7;
    this.#emaDecay = opts.emaDecay ?? 0;
    if (!(this.#emaDecay >= 0 && this.#emaDecay < 1)) throw new RangeError(`Adam: emaDecay must be in [0, 1); got ${opts.emaDecay}`);
    this.#accBeta1 = this.#beta1;
    this.#accBeta2 = this.#beta2;
  }

  /**
   * One update of `vars` with `grads` (same order, read already: gradient data as Float32Arrays)
   * scaled by `scale` (global-norm clipping). Each variable is read and assigned once.
   */
  apply(vars: readonly tf.Variable[], grads: readonly Float32Array[], scale = 1): void {
    const b1 = this.#beta1;
    const b2 = this.#beta2;
    const c1 = 1 - this.#accBeta1;
    const c2 = 1 - this.#accBeta2;
    const lr = this.learningRate;
    const eps = this.#epsilon;
    vars.forEach((variable, i) => {
      const g = grads[i];
      const w = (variable.dataSync() as Float32Array).slice(); // the cpu backend hands out its own array
      if (g.length !== w.length) throw new Error(`Adam: gradient of ${variable.name} has ${g.length} values, the variable ${w.length}`);
      let m = this.#m.get(variable.name);
      let v = this.#v.get(variable.name);
      if (!m || !v || m.length !== w.length) {
        m = new Float32Array(w.length);
        v = new Float32Array(w.length);
        this.#m.set(variable.name, m);
        this.#v.set(variable.name, v);
      }
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] * scale;
        const mj = b1 * m[j] + (1 - b1) * gj;
        const vj = b2 * v[j] + (1 - b2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        w[j] -= (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
      }
      if (this.#emaDecay > 0) this.#average(variable.name, w);
      const next = tf.tensor(w, variable.shape, 'float32');
      variable.assign(next);
      next.dispose();
    });
    this.#accBeta1 *= b1;
    this.#accBeta2 *= b2;
  }

  #average(name: string, w: Float32Array): void {
    const e = this.#ema.get(name);
    if (!e || e.length !== w.length) {
      this.#ema.set(name, w.slice());
      return;
    }
    const b = this.#emaDecay;
    for (let j = 0; j < w.length; j++) e[j] = b * e[j] + (1 - b) * w[j];
  }

  /** The moving average of each of `vars` (emaDecay > 0, after a first step), as new tensors the caller disposes; else null. */
  averaged(vars: readonly tf.Variable[]): tf.Tensor[] | null {
    if (this.#emaDecay === 0 || vars.some((v) => !this.#ema.has(v.name))) return null;
    return vars.map((v) => tf.tensor(this.#ema.get(v.name)!, v.shape, 'float32'));
  }

  /** Drops the moments (nothing on the backend to free; kept for the optimizer contract). */
  dispose(): void {
    this.#m.clear();
    this.#v.clear();
    this.#ema.clear();
  }
}
