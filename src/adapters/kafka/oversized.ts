/**
 * Outputs the producer can never write: a message larger than librdkafka's `message.max.bytes`
 * (1,000,000 unless kafka.properties sets it) is refused with MSG_SIZE_TOO_LARGE on every try. A
 * forecast grows with the horizon and the targets (horizon 4096 × 3 targets is well over 1 MB), so
 * a valid configuration could write one; its chunk then failed forever and its partition stopped,
 * retrying, with no dead letter. The sink now swaps such an output for a dead letter that says why
 * (TC_OUTPUT_TOO_LARGE, the topic it was for, its size and SHA-256; an empty value), so the partition
 * goes on. Dead letters are cut to input.deadLetterMaxBytes long before this (pipeline/dead-letter.ts).
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { OutMessage } from '../../pipeline/ports.ts';
import { isPropagatorHeader } from '../../telemetry/propagator-headers.ts';

/** librdkafka's default message.max.bytes. */
export const DEFAULT_MESSAGE_MAX_BYTES = 1_000_000;
/** Room for the record's framing (lengths, attributes, timestamp) that librdkafka counts too. */
const FRAMING_BYTES = 512;

/** Header names (docs/schemas.md); code, message, time and SHA-256 are the ones dead letters of input records carry (pipeline/dead-letter.ts). */
export const OUTPUT_HEADERS = {
  code: 'tickcast-error-code',
  message: 'tickcast-error-message',
  at: 'tickcast-failed-at',
  /** The topic the output was meant for. */
  topic: 'tickcast-output-topic',
  /** Its size in bytes (key + value + headers). */
  bytes: 'tickcast-output-bytes',
  /** SHA-256 (hex) of its value. */
  valueSha256: 'tickcast-value-sha256',
} as const;

/** The producer's limit from kafka.properties (message.max.bytes), else librdkafka's default. */
export function messageMaxBytes(properties: Readonly<Record<string, string | number | boolean>> | undefined): number {
  const n = Number(properties?.['message.max.bytes']);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_MESSAGE_MAX_BYTES;
}

const bytesOf = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

export function messageBytes(m: OutMessage): number {
  let n = bytesOf(m.key) + bytesOf(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((s, one) => s + bytesOf(one), 0) : bytesOf(v as Buffer | string));
  return n;
}

/** True when `m` cannot be written under `maxBytes` (message.max.bytes). */
export function tooLarge(m: OutMessage, maxBytes: number): boolean {
  return messageBytes(m) + FRAMING_BYTES > maxBytes;
}

/** The dead letter standing in for an output that is too large for `topic` (see the file comment). */
export function oversizedDeadLetter(m: OutMessage, topic: string, maxBytes: number): OutMessage {
  const bytes = messageBytes(m);
  const err = new TickcastError(
    ErrorCodes.OUTPUT_TOO_LARGE,
    `a ${m.stream} record of ${bytes} bytes for topic "${topic}" is over the producer's message.max.bytes (${maxBytes}) and was not written; lower model.horizon or the number of targets, or raise message.max.bytes (kafka.properties) and the topic's max.message.bytes`,
  );
  // Kept: the trace context, whatever propagator wrote it (src/telemetry/propagator-headers.ts), and
  // where a dead letter's record came from (an input dead letter over a lowered limit).
  const trace = Object.fromEntries(Object.entries(m.headers ?? {}).filter(([k]) => isPropagatorHeader(k) || k.startsWith('tickcast-source-')));
  return {
    stream: 'dlq',
    key: bytesOf(m.key) > 1024 ? null : m.key,
    value: '',
    headers: {
      ...trace,
      [OUTPUT_HEADERS.code]: err.code,
      [OUTPUT_HEADERS.message]: err.message,
      [OUTPUT_HEADERS.at]: new Date().toISOString(),
      [OUTPUT_HEADERS.topic]: topic,
      [OUTPUT_HEADERS.bytes]: String(bytes),
      [OUTPUT_HEADERS.valueSha256]: createHash('sha256').update(m.value ?? '').digest('hex'),
    },
  };
}
