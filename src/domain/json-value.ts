/**
 * A record's value as parsed JSON, or why not: the checks every JSON input format makes first
 * (tick-codec.ts for tick objects, senml-codec.ts for SenML packs) — a value present, within
 * input.maxRecordBytes, strict UTF-8 without a byte order mark, and JSON.
 */
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import { strictUtf8 } from './utf8-text.ts';
import { notJsonHint } from './tick-codec-hints.ts';

/** `expected`: what the record should be, for the tombstone's reason ("a JSON tick object"). */
export function parseJsonValue(value: Buffer | null, maxRecordBytes: number, expected: string): { body: unknown } | { error: TickcastError } {
  if (value === null || value.length === 0) return { error: recordError(ErrorCodes.RECORD_INVALID, `record has no value (tombstone or empty); expected ${expected}`) };
  if (value.length > maxRecordBytes) {
    return { error: recordError(ErrorCodes.RECORD_TOO_LARGE, `record is ${value.length} bytes; the limit is ${maxRecordBytes} (input.maxRecordBytes)`) };
  }
  const text = strictUtf8(value);
  if ('error' in text) return { error: recordError(ErrorCodes.RECORD_NOT_JSON, `value is ${text.error}`) };
  if (text.text.startsWith('\uFEFF')) return { error: recordError(ErrorCodes.RECORD_NOT_JSON, 'value starts with a byte order mark (bytes EF BB BF); send the JSON without it') };
  try {
    return { body: JSON.parse(text.text) };
  } catch (err) {
    return { error: recordError(ErrorCodes.RECORD_NOT_JSON, `value is not valid JSON (${(err as Error).message})${notJsonHint(text.text)}`) };
  }
}
