/**
 * A series-state snapshot file in format 1, as releases before 7 Dec 2026 wrote it
 * (src/pipeline/snapshot/codec.ts keeps reading it): the whole tree, `series` included, as one JSON
 * header, typed arrays (stored whole) in the aligned blob after it.
 */
import { createHash } from 'node:crypto';

export function encodeFormat1(tree: unknown): Buffer {
  const blob: Buffer[] = [];
  let offset = 0;
  const header = Buffer.from(
    JSON.stringify(tree, (_k, v: unknown) => {
      if (v instanceof Float32Array || v instanceof Float64Array) {
        const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        const step = align8(bytes.length);
        blob.push(bytes, Buffer.alloc(step - bytes.length));
        const ref = { $ta: v instanceof Float32Array ? 'f32' : 'f64', o: offset, n: v.length, k: v.length };
        offset += step;
        return ref;
      }
      return typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v;
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const body = Buffer.concat([len, header, Buffer.alloc(align8(48 + header.length) - 48 - header.length), ...blob]);
  const head = Buffer.alloc(44);
  head.write('TCSNAP\0\0', 0, 'latin1');
  head.writeUInt32LE(1, 8);
  createHash('sha256').update(body).digest().copy(head, 12);
  return Buffer.concat([head, body]);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
