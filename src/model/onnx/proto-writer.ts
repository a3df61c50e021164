/**
 * A minimal protocol-buffers encoder: just the wire types the ONNX subset needs (varint,
 * 64-bit-clean int64 varints, fixed32 floats, length-delimited bytes/strings/messages).
 * No dependency, no reflection: each ONNX message is written by a small function in
 * ./onnx-proto.ts that calls these helpers in field order.
 */

const utf8 = new TextEncoder();

/** Growable byte sink. Messages are built bottom-up: a child is encoded, then embedded as bytes. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned varint of a non-negative safe integer, or any int64 given as bigint (two's complement). */
  varint(v: number | bigint): void {
    let x = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  /** int32/int64/enum/bool field (negative values are written as 10-byte two's complement). */
  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, utf8.encode(s));
  }

  /** Embedded message: `write` fills a fresh writer whose bytes become this field. */
  message(field: number, write: (w: ProtoWriter) => void): void {
    const child = new ProtoWriter();
    write(child);
    this.bytes(field, child.finish());
  }

  /** Packed repeated int64 (proto3 default for repeated scalars). */
  packedInts(field: number, values: readonly (number | bigint)[]): void {
    const child = new ProtoWriter();
    for (const v of values) child.varint(v);
    this.bytes(field, child.finish());
  }

  /** Packed repeated float. */
  packedFloats(field: number, values: readonly number[]): void {
    const data = new Float32Array(values);
    this.bytes(field, new Uint8Array(data.buffer));
  }

  /** The encoded bytes (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
