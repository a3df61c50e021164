/** Test helper: decode the PNGs our encoder writes (8-bit RGBA, filters None/Up), checking CRCs. */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../../src/eval/png.ts';

export function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array; chunks: string[] } {
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('bad signature');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const chunks: string[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (crc32(buf, off + 4, off + 8 + len) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6) throw new Error('not 8-bit RGBA');
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i];
      const up = y > 0 ? rgba[(y - 1) * stride + i] : 0;
      if (f === 0) rgba[y * stride + i] = v;
      else if (f === 2) rgba[y * stride + i] = (v + up) & 0xff;
      else throw new Error(`filter ${f} not expected from our encoder`);
    }
  }
  return { width, height, rgba, chunks };
}
