/**
 * The series-state snapshot file format (version 2): a JSON tree whose typed arrays live in a
 * binary blob, with a SHA-256 over everything after the checksum field. The tree's `series` (one
 * entry per series) is not in the header but follows it, each entry its own length-prefixed JSON:
 * no string grows with the number of series (V8 caps a string at ~537 M characters; a header
 * holding every series, format 1, reached it at ~57k–155k mature series).
 *
 *   offset 0   8 bytes  magic "TCSNAP\0\0"
 *          8   u32 LE   format version (2)
 *         12   32 bytes SHA-256 of bytes [44, end)
 *         44   u32 LE   header length H
 *         48   H bytes  header: UTF-8 JSON tree without `series`
 *     48 + H   u32 LE   number of series entries N (0xFFFFFFFF: the tree has no `series`)
 *              N times  u32 LE length L, then L bytes: one entry of `series`, UTF-8 JSON
 *              padding to a multiple of 8, then the blob (each array 8-byte aligned)
 *
 * Format 1 (written before 7 Dec 2026; still read) had the whole tree, `series` included, as the
 * header, and the padding and blob right after it.
 *
 * In the JSON a typed array is `{"$ta":"f32"|"f64","o":<byte offset in blob>,"n":<length>,
 * "k":<elements stored>}` (trailing +0 elements are left out: a ring not yet full is mostly zeros)
 * and a non-finite number is `{"$num":"NaN"|"Infinity"|"-Infinity"}`; everything else is plain
 * JSON. Decoding copies arrays out of the file buffer (the result owns its memory), or with
 * `{ views: true }` returns views into it of the stored elements only (restore copies them into
 * the live state at once; `declaredLength` gives an array's full length, `fillFrom` pads).
 *
 * Speed (10,000 mature series, 266 MiB; docs/benchmarks.md § Restart): arrays copied while the
 * pipeline is held go into a few large slabs, not one allocation each; decoding parses each JSON
 * piece without a reviver and resolves the array references in one walk.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { markDeclared } from './plain-state.ts';
export { declaredLength, fillFrom, fullArray, toPlain, type Growable } from './plain-state.ts';

export const SNAPSHOT_FORMAT = 2;
/** The entry count of a tree without `series` (format 2). */
const NO_SERIES = 0xffffffff;
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
 * The body of the file (header length, header, series entries, blob) as chunks. With `copy`, the
 * arrays' stored bytes are copied, so the tree may change afterwards.
 */
export function layoutSnapshot(tree: unknown, copy: boolean): Buffer[] {
  const l = new SnapshotLayout(copy);
  const series = (tree as { series?: unknown } | null)?.series;
  if (!Array.isArray(series)) return l.finish(l.json(tree), false);
  const { series: _entries, ...head } = tree as { series: unknown[] };
  for (const e of series) l.entry(e);
  return l.finish(l.json(head));
}

/**
 * Builds a body piece by piece: `entry(value)` adds one entry of `series` (so a large tree can be
 * laid out in slices, yielding in between), `json(value)` gives a value's JSON, both with their
 * typed arrays moved to the blob; `finish(header)` the chunks, with the header JSON (the tree
 * without `series`).
 */
export class SnapshotLayout {
  readonly #copy: boolean;
  readonly #blob: Buffer[] = [];
  /** Length prefix and UTF-8 JSON of each series entry. */
  readonly #entries: Buffer[] = [];
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

  /** Add one entry of `series`: its JSON as a buffer of its own (no string holds more than it). */
  entry(value: unknown): void {
    const json = Buffer.from(this.json(value), 'utf8');
    this.#entries.push(u32(json.length), json);
  }

  /** The chunks: header JSON `headerJson`, then the entries added (`withSeries` false: the tree has no `series`). */
  finish(headerJson: string, withSeries = true): Buffer[] {
    const header = Buffer.from(headerJson, 'utf8');
    const count = u32(withSeries ? this.#entries.length / 2 : NO_SERIES);
    const end = PREFIX + header.length + 4 + this.#entries.reduce((n, c) => n + c.length, 0);
    this.#flushSlab();
    return [u32(header.length), header, count, ...this.#entries, Buffer.alloc(align8(end) - end), ...this.#blob];
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
  if (format !== 1 && format !== SNAPSHOT_FORMAT) {
    throw new TickcastError(ErrorCodes.SNAPSHOT_INCOMPATIBLE, `snapshot format ${format}; this version reads formats 1 and ${SNAPSHOT_FORMAT}`);
  }
  const digest = sha256From(buf, 44);
  if (!digest.equals(buf.subarray(12, 44))) throw corrupt('snapshot checksum mismatch (SHA-256): the file is truncated or damaged');
  const h = buf.readUInt32LE(44);
  if (PREFIX + h > buf.length) throw corrupt('snapshot header runs past the end of the file');
  // Format 1: the whole tree is the header. Format 2: the series entries follow it.
  const entries = format === 1 ? null : seriesEntries(buf, PREFIX + h);
  const blobStart = align8(entries?.end ?? PREFIX + h);
  // Views need the blob 8-byte aligned in memory (a large file read has its own, aligned buffer).
  const views = opts.views === true && buf.byteOffset % 8 === 0;
  const parse = (start: number, end: number, what: string): unknown => {
    try {
      return resolve(JSON.parse(buf.toString('utf8', start, end)), buf, blobStart, views);
    } catch (err) {
      throw corrupt(`snapshot ${what} cannot be parsed: ${(err as Error).message}`, err);
    }
  };
  const tree = parse(PREFIX, PREFIX + h, 'header');
  if (entries?.at === undefined) return tree;
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) throw corrupt('snapshot header is not an object');
  (tree as { series: unknown[] }).series = entries.at.map(([start, end], i) => parse(start, end, `series entry ${i}`));
  return tree;
}

/** Where each series entry of a format-2 file lies (`at`: absent when the tree has no `series`) and where they end. */
function seriesEntries(buf: Buffer, from: number): { at?: Array<[number, number]>; end: number } {
  if (from + 4 > buf.length) throw corrupt('snapshot series count runs past the end of the file');
  const n = buf.readUInt32LE(from);
  if (n === NO_SERIES) return { end: from + 4 };
  const at: Array<[number, number]> = [];
  let p = from + 4;
  for (let i = 0; i < n; i++) {
    const len = p + 4 <= buf.length ? buf.readUInt32LE(p) : -1;
    if (len < 0 || p + 4 + len > buf.length) throw corrupt(`snapshot series entry ${i} of ${n} runs past the end of the file`);
    at.push([p + 4, p + 4 + len]);
    p += 4 + len;
  }
  return { at, end: p };
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

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** SHA-256 of `buf` from `from`, in pieces: `Hash.update` refuses one over 2 GiB ("data is too long"). */
export function sha256From(buf: Buffer, from: number, piece = 1 << 30): Buffer {
  const hash = createHash('sha256');
  for (let at = from; at < buf.length; at += piece) hash.update(buf.subarray(at, Math.min(at + piece, buf.length)));
  return hash.digest();
}

function corrupt(message: string, cause?: unknown): TickcastError {
  return new TickcastError(ErrorCodes.SNAPSHOT_CORRUPT, message, { cause });
}
