/**
 * The series-state snapshot file format (version 1): a JSON tree whose typed arrays live in a
 * binary blob, with a SHA-256 over everything after the checksum field.
 *
 *   offset 0   8 bytes  magic "TCSNAP\0\0"
 *          8   u32 LE   format version (1)
 *         12   32 bytes SHA-256 of bytes [44, end)
 *         44   u32 LE   header length H
 *         48   H bytes  header: UTF-8 JSON tree
 *     48 + H   padding to a multiple of 8, then the blob (each array 8-byte aligned)
 *
 * In the JSON tree a typed array is `{"$ta":"f32"|"f64","o":<byte offset in blob>,"n":<length>,
 * "k":<elements stored>}` (trailing +0 elements are left out: a ring not yet full is mostly zeros)
 * and a non-finite number is `{"$num":"NaN"|"Infinity"|"-Infinity"}`; everything else is plain
 * JSON. Decoding copies arrays out of the file buffer (the result owns its memory), or with
 * `{ views: true }` returns views into it of the stored elements only (restore copies them into
 * the live state at once; `declaredLength` gives an array's full length, `fillFrom` pads).
 *
 * Speed (10,000 mature series, 266 MiB; docs/benchmarks.md § Restart): arrays copied while the
 * pipeline is held go into a few large slabs, not one allocation each; decoding parses the header
 * without a reviver and resolves the array references in one walk.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { markDeclared } from './plain-state.ts';
export { declaredLength, fillFrom, fullArray, toPlain, type Growable } from './plain-state.ts';

export const SNAPSHOT_FORMAT = 1;
const MAGIC = Buffer.from('TCSNAP\0\0', 'latin1');
const PREFIX = 48;
/** Size of the slabs that copied arrays go into (fewer, larger allocations). */
const SLAB_BYTES = 8 << 20;

/** A typed array in the blob: kind, byte offset, length, elements stored (the rest are +0). */
type Ref = { $ta: 'f32' | 'f64'; o: number; n: number; k: number };

/** Encode `tree` into the file's bytes, as chunks (typed arrays are not copied). */
export function encodeSnapshot(tree: unknown): Buffer[] {
  return sealSnapshot(layoutSnapshot(tree, false));
}

/**
 * The body of the file (header length, header, blob) as chunks. With `copy`, the arrays' stored
 * bytes are copied, so the tree may change afterwards.
 */
export function layoutSnapshot(tree: unknown, copy: boolean): Buffer[] {
  const l = new SnapshotLayout(copy);
  return l.finish(l.json(tree));
}

/**
 * Builds a body piece by piece: `json(value)` gives a value's JSON with its typed arrays moved to
 * the blob (so a large tree can be laid out in slices, yielding in between), `finish(header)`
 * the chunks for the header JSON assembled from those pieces.
 */
export class SnapshotLayout {
  readonly #copy: boolean;
  readonly #blob: Buffer[] = [];
  #blobBytes = 0;
  /** With `copy`: the slab being filled and how much of it is used (pushed to the blob when full). */
  #slab: Buffer | null = null;
  #slabUsed = 0;

  constructor(copy: boolean) {
    this.#copy = copy;
  }

  json(value: unknown): string {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (v instanceof Float32Array || v instanceof Float64Array) return this.#add(v);
      if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
      return v;
    });
  }

  finish(headerJson: string): Buffer[] {
    const header = Buffer.from(headerJson, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length, 0);
    const pad = align8(PREFIX + header.length) - (PREFIX + header.length);
    this.#flushSlab();
    return [len, header, Buffer.alloc(pad), ...this.#blob];
  }

  #add(v: Float32Array | Float64Array): Ref {
    // Trailing +0 elements are not stored (rings not yet full are mostly zeros).
    const k = storedLength(v);
    const kept = v.subarray(0, k);
    const ref: Ref = { $ta: v instanceof Float32Array ? 'f32' : 'f64', o: this.#blobBytes, n: v.length, k };
    const bytes = Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength);
    const step = align8(kept.byteLength);
    if (this.#copy) this.#copyIn(bytes, step);
    else {
      this.#blob.push(bytes);
      if (step > kept.byteLength) this.#blob.push(Buffer.alloc(step - kept.byteLength));
    }
    this.#blobBytes += step;
    return ref;
  }

  /** Copy `bytes` into the slab (zero-padded to `step`), starting a new slab when it is full. */
  #copyIn(bytes: Buffer, step: number): void {
    if (this.#slab === null || this.#slabUsed + step > this.#slab.length) {
      this.#flushSlab();
      this.#slab = Buffer.alloc(Math.max(SLAB_BYTES, step));
    }
    bytes.copy(this.#slab, this.#slabUsed);
    this.#slabUsed += step;
  }

  #flushSlab(): void {
    if (this.#slab !== null && this.#slabUsed > 0) this.#blob.push(this.#slab.subarray(0, this.#slabUsed));
    this.#slab = null;
    this.#slabUsed = 0;
  }
}

/** Prefix a body from `layoutSnapshot` with magic, format version and SHA-256. */
export function sealSnapshot(body: Buffer[]): Buffer[] {
  const hash = createHash('sha256');
  for (const c of body) hash.update(c);
  const head = Buffer.alloc(44);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(SNAPSHOT_FORMAT, 8);
  hash.digest().copy(head, 12);
  return [head, ...body];
}

/**
 * Decode a snapshot file. Throws TC_SNAPSHOT_CORRUPT or TC_SNAPSHOT_INCOMPATIBLE (format). With
 * `views`, typed arrays are views into `buf` of their stored elements (see the file comment).
 */
export function decodeSnapshot(buf: Buffer, opts: { views?: boolean } = {}): unknown {
  if (buf.length < PREFIX || !buf.subarray(0, 8).equals(MAGIC)) throw corrupt('not a tickcast series-state snapshot (bad magic or truncated)');
  const format = buf.readUInt32LE(8);
  if (format !== SNAPSHOT_FORMAT) {
    throw new TickcastError(ErrorCodes.SNAPSHOT_INCOMPATIBLE, `snapshot format ${format}; this version reads format ${SNAPSHOT_FORMAT}`);
  }
  const digest = createHash('sha256').update(buf.subarray(44)).digest();
  if (!digest.equals(buf.subarray(12, 44))) throw corrupt('snapshot checksum mismatch (SHA-256): the file is truncated or damaged');
  const h = buf.readUInt32LE(44);
  if (PREFIX + h > buf.length) throw corrupt('snapshot header runs past the end of the file');
  const blobStart = align8(PREFIX + h);
  // Views need the blob 8-byte aligned in memory (a large file read has its own, aligned buffer).
  const views = opts.views === true && buf.byteOffset % 8 === 0;
  try {
    return resolve(JSON.parse(buf.toString('utf8', PREFIX, PREFIX + h)), buf, blobStart, views);
  } catch (err) {
    throw corrupt(`snapshot header cannot be parsed: ${(err as Error).message}`, err);
  }
}

/** Replace array references and non-finite numbers in a parsed header, in place (one walk). */
function resolve(v: unknown, buf: Buffer, blobStart: number, views: boolean): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') v[i] = resolve(x, buf, blobStart, views);
    }
    return v;
  }
  const r = v as Partial<Ref> & { $num?: string };
  if (r.$num !== undefined) return Number(r.$num);
  if (r.$ta !== undefined) return array(r, buf, blobStart, views);
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = resolve(x, buf, blobStart, views);
  }
  return v;
}

function array(r: Partial<Ref>, buf: Buffer, blobStart: number, views: boolean): Float32Array | Float64Array {
  const size = r.$ta === 'f32' ? 4 : 8;
  const start = blobStart + (r.o ?? -1);
  const n = r.n ?? -1;
  const k = r.k ?? -1;
  const bytes = k * size;
  if (!(Number.isInteger(start) && Number.isInteger(bytes) && Number.isInteger(n) && start >= blobStart && bytes >= 0 && bytes <= n * size && start + bytes <= buf.length)) {
    throw new RangeError(`array reference out of bounds (${JSON.stringify(r)})`);
  }
  const Kind = r.$ta === 'f32' ? Float32Array : Float64Array;
  if (views) {
    const view = new Kind(buf.buffer as ArrayBuffer, buf.byteOffset + start, k);
    markDeclared(view, n);
    return view;
  }
  const copy = new ArrayBuffer(n * size);
  buf.copy(new Uint8Array(copy), 0, start, start + bytes);
  return new Kind(copy);
}

function storedLength(v: Float32Array | Float64Array): number {
  let k = v.length;
  while (k > 0 && v[k - 1] === 0 && !Object.is(v[k - 1], -0)) k--;
  return k;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function corrupt(message: string, cause?: unknown): TickcastError {
  return new TickcastError(ErrorCodes.SNAPSHOT_CORRUPT, message, { cause });
}
