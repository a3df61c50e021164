/**
 * Dead letters: the original record with headers that say why it was refused and where it came
 * from. Names are documented in docs/schemas.md.
 *
 * The original bytes go as they came: the value, the key, and every header (binary values and
 * repeated names included) when the transport kept them (`RawRecord.originalHeaders`). One bound:
 * a dead letter larger than `maxBytes` (input.deadLetterMaxBytes) would be refused by the producer
 * or the broker for good (librdkafka's message.max.bytes, the topic's max.message.bytes), and a
 * chunk whose outputs cannot be written is never committed — one record would stop its partition.
 * Such a record keeps the first bytes of its value (and of its key, if that alone is too large),
 * with headers giving the original sizes and SHA-256; the source headers say where the whole
 * record still is.
 */
import { createHash } from 'node:crypto';
import type { RawRecord, SourceRef, Tick } from '../domain/types.ts';
import { ErrorCodes, recordError, type ErrorCode, type TickcastError } from '../errors/index.ts';
import type { OutMessage } from './ports.ts';

export const DLQ_HEADERS = {
  code: 'tickcast-error-code',
  message: 'tickcast-error-message',
  topic: 'tickcast-source-topic',
  partition: 'tickcast-source-partition',
  offset: 'tickcast-source-offset',
  /** Last offset of a skipped range (TC_RECORD_UNDECODABLE): the record stands for offset … offsetEnd. */
  offsetEnd: 'tickcast-source-offset-end',
  at: 'tickcast-failed-at',
  /** The record's own Kafka timestamp (epoch ms), where it had one: what a re-drive gives back, as SenML relative times and input.missingTs 'kafka' read it. */
  sourceTs: 'tickcast-source-timestamp',
  /** Present when the value was cut to fit: the original value's length in bytes. */
  valueTruncatedFrom: 'tickcast-value-truncated-from-bytes',
  /** With valueTruncatedFrom: SHA-256 (hex) of the whole original value. */
  valueSha256: 'tickcast-value-sha256',
  /** Present when the key was cut to fit: the original key's length in bytes. */
  keyTruncatedFrom: 'tickcast-key-truncated-from-bytes',
} as const;

/** input.deadLetterMaxBytes's default: under librdkafka's message.max.bytes (1,000,000) with room for the record's framing. */
export const DEAD_LETTER_MAX_BYTES = 900_000;
/** A key cut to fit keeps this many bytes. */
const KEY_KEEP_BYTES = 1024;

/**
 * The reason as written in `tickcast-error-message`: at most a quarter of `maxBytes` (and 16 KiB),
 * cut on a UTF-8 boundary with a note. Before 7 Dec 2026 it went whole, and a long one (a SenML name
 * echoed by its refusal, a pack's merged reasons, a long exception message) took the dead letter past
 * the bound on its own: the producer refuses such a message on every try.
 */
function boundedReason(message: string, maxBytes: number): string {
  const cap = Math.min(16 * 1024, Math.floor(maxBytes / 4));
  const b = Buffer.from(message);
  if (b.length <= cap) return message;
  const note = `… (cut from ${b.length} bytes)`;
  let end = Math.max(0, cap - Buffer.byteLength(note));
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--; // not inside a character
  return b.subarray(0, end).toString() + note;
}

function dlqHeaders(err: TickcastError, source: SourceRef, atMs: number, maxBytes: number): Record<string, string> {
  return {
    [DLQ_HEADERS.code]: err.code,
    [DLQ_HEADERS.message]: boundedReason(err.message, maxBytes),
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: source.offset,
    [DLQ_HEADERS.at]: new Date(atMs).toISOString(),
  };
}

/** A record whose processing threw: dead-lettered with the reason, the rest of the chunk goes on. */
export function processingFailed(err: unknown, at?: { tick: Tick; of: number }): TickcastError {
  const why = err instanceof Error ? err.message : String(err);
  const where = at ? ` (its tick of series "${at.tick.series}" at ${new Date(at.tick.tsMs).toISOString()}; the record's other ${at.of - 1} ticks went on)` : '';
  return recordError(ErrorCodes.RECORD_PROCESSING_FAILED, `processing this record failed: ${why}${where}`);
}

/**
 * A tick with a feature missing (input.missingFeature 'carry') whose series has no earlier value of
 * it to carry forward: its first tick, or the first after an eviction. Refused whole (the window
 * store keeps no partial rows), and dead-lettered so that the reading is not lost without a trace.
 */
export function nothingToCarry(tick: Tick, features: readonly string[], others: readonly Tick[] = []): TickcastError {
  const missing = features.filter((_, i) => Number.isNaN(tick.values[i]));
  return recordError(
    ErrorCodes.RECORD_MISSING_FEATURE,
    `feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')} missing and series "${tick.series}" has no earlier value to carry forward (input.missingFeature: carry); a series' first tick, and its first after an eviction, must carry every feature${alsoRefused(others)}`,
  );
}

/** The other ticks of a record (a SenML pack) refused alike, named in its one dead letter: up to 5 series, then a count. */
function alsoRefused(others: readonly Tick[]): string {
  if (others.length === 0) return '';
  const series = [...new Set(others.map((t) => t.series))];
  const named = series.slice(0, 5).map((s) => `"${s}"`).join(', ') + (series.length > 5 ? ` and ${series.length - 5} more` : '');
  return `. The first of ${others.length + 1} ticks of this record refused so; the others of series ${named}`;
}

/** A record's one dead letter in a poll and the reasons it carries: a SenML pack's ticks can fail in different phases (stream-pipeline.ts); `counted`: told as a `dead_letter` outcome. */
export interface MadeDeadLetter { message: OutMessage; first: TickcastError; also: TickcastError[]; unnamed: number; counted?: boolean }

/** The records dead-lettered in one poll (a StreamPipeline.handle call), each with its one dead letter. */
export type DeadLetters = Map<RawRecord, MadeDeadLetter>;

/**
 * `rec`'s dead letter for `err`, or none ([]) when `dead` holds one already: `err` is then added to
 * it. `outcome` (a `dead_letter` outcome; absent: the failure's tick was counted already) and `tell`
 * (metrics, hooks) run before it is made and marked: a record whose telling threw is not marked, and
 * its caller's catch makes it again (stream-pipeline.ts). `outcome` runs once a record and poll, also
 * for a failure added to a dead letter made uncounted: a pack dead-lettered when a windowed tick's
 * read threw, whose later tick's push then throws (before 7 Dec 2026, late evening, that tick was
 * counted nowhere).
 */
export function deadLetterOnce(rec: RawRecord, err: TickcastError, dead: DeadLetters | undefined, maxBytes: number = DEAD_LETTER_MAX_BYTES, atMs: number, tell: () => void, outcome?: () => void): OutMessage[] {
  const made = dead?.get(rec);
  if (made) {
    if (outcome && !made.counted) outcome();
    made.counted ||= outcome !== undefined;
    addReason(made, rec, err, maxBytes, atMs);
    return [];
  }
  outcome?.();
  tell();
  const message = deadLetterMessage(rec, err, maxBytes, atMs);
  dead?.set(rec, { message, first: err, also: [], unnamed: 0, counted: outcome !== undefined });
  return [message];
}

/** Later reasons named in one dead letter; more are counted (a 4,500-tick pack could otherwise grow its headers past input.deadLetterMaxBytes). */
const ALSO_NAMED = 3;

/**
 * `err`, a failure of a record already dead-lettered in this poll, added to that dead letter (its
 * message, made again in place): the code stays the first reason's, the message names each other
 * reason once, so an operator fixes the gateway in one round. Before 7 Dec 2026 it was dropped.
 */
export function addReason(made: MadeDeadLetter, rec: RawRecord, err: TickcastError, maxBytes: number, atMs: number): void {
  const same = (e: TickcastError): boolean => e.code === err.code && e.message === err.message;
  if (same(made.first) || made.also.some(same)) return;
  if (made.also.length < ALSO_NAMED) made.also.push(err);
  else made.unnamed++;
  const also = made.also.map((e) => `; also ${e.code}: ${e.message}`).join('');
  const more = made.unnamed > 0 ? `; and ${made.unnamed} more failure${made.unnamed > 1 ? 's' : ''}` : '';
  Object.assign(made.message, deadLetterMessage(rec, recordError(made.first.code as ErrorCode, made.first.message + also + more), maxBytes, atMs));
}

/** The dead letter for `rec`: its original bytes, the reason in headers, at most `maxBytes` in all (see the file comment); `atMs`: when it failed (the pipeline's clock). */
export function deadLetterMessage(rec: RawRecord, err: TickcastError, maxBytes: number = DEAD_LETTER_MAX_BYTES, atMs: number = Date.now()): OutMessage {
  const headers: OutMessage['headers'] = { ...(rec.originalHeaders ?? rec.headers), ...dlqHeaders(err, rec.source, atMs, maxBytes) };
  if (rec.undecodable) headers[DLQ_HEADERS.offsetEnd] = rec.undecodable.lastOffset;
  if (rec.recordTsMs !== undefined) headers[DLQ_HEADERS.sourceTs] = String(rec.recordTsMs);
  let key = rec.key;
  let value = rec.value ?? Buffer.alloc(0);
  // Room for the size headers this may add (names + decimal sizes + 64 hex digits).
  const room = maxBytes - headerBytes(headers) - 256;
  if (key !== null && key.length > room / 2 && key.length > KEY_KEEP_BYTES) {
    headers[DLQ_HEADERS.keyTruncatedFrom] = String(key.length);
    key = key.subarray(0, KEY_KEEP_BYTES);
  }
  const valueRoom = Math.max(0, room - (key?.length ?? 0));
  if (value.length > valueRoom) {
    headers[DLQ_HEADERS.valueTruncatedFrom] = String(value.length);
    headers[DLQ_HEADERS.valueSha256] = createHash('sha256').update(value).digest('hex');
    value = value.subarray(0, valueRoom);
  }
  return { stream: 'dlq', key, value, headers };
}

function headerBytes(headers: OutMessage['headers']): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) {
    for (const one of Array.isArray(v) ? v : [v]) n += Buffer.byteLength(k) + (typeof one === 'string' ? Buffer.byteLength(one) : one.length) + 8;
  }
  return n;
}
