/**
 * Per-series state as a plain tree and back (`toPlain`, `fillFrom`), and the full length of arrays
 * that the codec (codec.ts) decoded as views of their stored elements only (trailing +0 elements
 * are not stored in a snapshot).
 */

/** Full length of arrays decoded as views of their stored elements (trailing zeros not stored). */
const declared = new WeakMap<Float32Array | Float64Array, number>();

/** Record that `view` holds the first elements of an array `n` long (the rest are +0). */
export function markDeclared(view: Float32Array | Float64Array, n: number): void {
  declared.set(view, n);
}

/** An array's full length: its declared length when decoded as a view of stored elements. */
export function declaredLength(a: Float32Array | Float64Array): number {
  return declared.get(a) ?? a.length;
}

/** `a` at its full length: itself, or a copy padded with the zeros that were not stored. */
export function fullArray<T extends Float32Array | Float64Array>(a: T): T {
  const n = declaredLength(a);
  if (n === a.length) return a;
  const out = new (a.constructor as new (n: number) => T)(n);
  out.set(a);
  return out;
}

/**
 * A class instance's own fields as a plain tree (typed arrays copied, or referenced when
 * `copyArrays` is false: then encode before the instance changes), skipping the objects in
 * `skip` (shared configuration). For state objects made of numbers, booleans, strings, typed arrays
 * and nested such objects — e.g. the anomaly detector's per-series state.
 */
export function toPlain(obj: object, skip: ReadonlySet<object>, copyArrays = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'function' || (typeof v === 'object' && v !== null && skip.has(v))) continue;
    if (v instanceof Float32Array || v instanceof Float64Array) out[k] = copyArrays ? v.slice() : v;
    else if (Array.isArray(v)) out[k] = v.map((x: unknown) => (typeof x === 'object' && x !== null ? toPlain(x, skip, copyArrays) : x));
    else if (typeof v === 'object' && v !== null) out[k] = toPlain(v, skip, copyArrays);
    else out[k] = v;
  }
  return out;
}

/** A state whose typed array `field` grows as it fills: `growTo` makes it `n` long (null: it cannot). */
export interface Growable {
  growTo(field: string, n: number): Float32Array | Float64Array | null;
}

/**
 * The inverse of `toPlain`: copy `plain` into a freshly constructed `target` of the same shape.
 * Typed arrays must match in kind and length (else a RangeError: the configuration changed), but
 * for a `Growable` target's array shorter than the saved one, grown to its length first.
 */
export function fillFrom(target: object, plain: Record<string, unknown>): void {
  const t = target as Record<string, unknown>;
  for (const [k, v] of Object.entries(plain)) {
    const now = t[k];
    if (now instanceof Float32Array || now instanceof Float64Array) {
      const n = v instanceof Float32Array || v instanceof Float64Array ? declaredLength(v) : -1;
      // A ring that grows as it fills (anomaly/likelihood.ts) is made as long as the saved one first.
      const cur = (n > now.length && typeof t.growTo === 'function' ? (target as Growable).growTo(k, n) : null) ?? now;
      if (!(v instanceof cur.constructor) || n !== cur.length) throw new RangeError(`field ${k}: saved array does not match (${n} vs ${cur.length})`);
      cur.set(v as Float64Array);
      if ((v as Float64Array).length < n) cur.fill(0, (v as Float64Array).length);
    } else if (typeof now === 'object' && now !== null && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      fillFrom(now, v as Record<string, unknown>);
    } else t[k] = v;
  }
}
