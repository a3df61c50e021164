import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, encodePng } from '../../../src/eval/png.ts';
import { Raster } from '../../../src/eval/raster.ts';
import { decodePng } from './png-decode.ts';

describe('PNG encoder', () => {
  it('CRC-32 matches the PNG spec value for "IEND"', () => {
    assert.equal(crc32(Buffer.from('IEND', 'ascii')), 0xae426082);
  });

  it('round-trips RGBA pixels through signature, IHDR, IDAT (None and Up filters) and IEND', () => {
    const w = 3;
    const h = 4;
    const px = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37 + 11) & 0xff);
    const png = encodePng(w, h, px);
    const d = decodePng(png);
    assert.deepEqual(d.chunks, ['IHDR', 'IDAT', 'IEND']);
    assert.equal(d.width, w);
    assert.equal(d.height, h);
    assert.deepEqual(Array.from(d.rgba), Array.from(px));
    assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /expected 16 RGBA bytes/);
  });

  it('raster: lines, bands and text land where they are drawn', () => {
    const r = new Raster(40, 20);
    r.line(2, 10, 37, 10, [255, 0, 0, 255], 2);
    const at = (x: number, y: number) => Array.from(r.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4));
    assert.deepEqual(at(20, 10), [255, 0, 0, 255]);
    assert.deepEqual(at(20, 2), [255, 255, 255, 255]);
    r.band([0, 39], [18, 18], [15, 15], [0, 0, 255, 255]);
    assert.deepEqual(at(5, 16), [0, 0, 255, 255]);
    const r2 = new Raster(20, 10);
    const wdt = r2.text(0, 0, 'A1', [0, 0, 0, 255], 1);
    assert.equal(wdt, 12);
    // top row of "A" is .###. → pixel (0,0) white, (1,0) black
    assert.equal(r2.data[0], 255);
    assert.equal(r2.data[4], 0);
  });
});
