/**
 * Weight values of the hybrid model: the seeded initial value of each weight (docs/model.md
 * "Initialisation") and the check that a named weight map fits an architecture. Names and
 * shapes come from ./weight-names.ts.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { glorotUniform, normalArray } from './random.ts';
import { sizeOf, type WeightMap, type WeightSpec } from './weight-names.ts';

export function shapeEq(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Every expected name present with the right shape and data length; extra names are refused too. */
export function checkWeightMap(specs: readonly WeightSpec[], weights: WeightMap): void {
  const problems: string[] = [];
  for (const ws of specs) {
    const got = weights[ws.name];
    if (!got) problems.push(`missing "${ws.name}"`);
    else if (!shapeEq(got.shape, ws.shape) || got.data.length !== sizeOf(ws.shape)) {
      problems.push(`"${ws.name}" has shape [${got.shape}] (${got.data.length} values), expected [${ws.shape}]`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(weights)) if (!known.has(name)) problems.push(`unexpected "${name}"`);
  if (problems.length > 0) {
    throw new TickcastError(
      ErrorCodes.MODEL_ARTIFACT_MISMATCH,
      `weights do not match the model architecture: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
      { details: { problems } },
    );
  }
}

/** Initial value of one weight (see docs/model.md "Initialisation"); `rand` is drawn in manifest order. */
export function initialValue(ws: WeightSpec, rand: () => number, W: number, Hh: number): Float32Array {
  const n = sizeOf(ws.shape);
  const name = ws.name;
  if (name.endsWith('/gamma')) return new Float32Array(n).fill(1);
  if (name.endsWith('/beta')) return new Float32Array(n);
  if (name === 'pos_emb') return normalArray(n, 0.02, rand);
  if (name === 'pool/query') return normalArray(n, 0.02, rand);
  if (name === 'linear_skip/kernel') {
    // Start as "repeat the last value" (in RevIN space), the naive forecast training improves on.
    const k = new Float32Array(n);
    const H = ws.shape[1];
    for (let h = 0; h < H; h++) k[(W - 1) * H + h] = 1;
    return k;
  }
  if (/^lstm_\d+_(fwd|bwd)\/bias$/.test(name)) {
    const b = new Float32Array(n);
    b.fill(1, Hh, 2 * Hh); // forget gate
    return b;
  }
  if (ws.shape.length === 1 || name.endsWith('/bias') || /\/b[qkvo]$/.test(name)) return new Float32Array(n);
  const [fanIn, fanOut] = ws.shape;
  const k = glorotUniform(fanIn, fanOut, rand);
  if (name === 'head/kernel') for (let i = 0; i < k.length; i++) k[i] *= 0.1;
  return k;
}
