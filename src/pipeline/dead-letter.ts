/** Dead letters: the original record with headers that say why it was refused and where it came from. Names are documented in docs/schemas.md. */
import type { RawRecord, SourceRef } from '../domain/types.ts';
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
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
} as const;

export function dlqHeaders(err: TickcastError, source: SourceRef): Record<string, string> {
  return {
    [DLQ_HEADERS.code]: err.code,
    [DLQ_HEADERS.message]: err.message,
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: source.offset,
    [DLQ_HEADERS.at]: new Date().toISOString(),
  };
}

/** A record whose processing threw: dead-lettered with the reason, the rest of the chunk goes on. */
export function processingFailed(err: unknown): TickcastError {
  const why = err instanceof Error ? err.message : String(err);
  return recordError(ErrorCodes.RECORD_PROCESSING_FAILED, `processing this record failed: ${why}`);
}

/** The dead letter for `rec`: its original bytes unchanged, the reason in headers. */
export function deadLetterMessage(rec: RawRecord, err: TickcastError): OutMessage {
  const headers: Record<string, string> = { ...rec.headers, ...dlqHeaders(err, rec.source) };
  if (rec.undecodable) headers[DLQ_HEADERS.offsetEnd] = rec.undecodable.lastOffset;
  return { stream: 'dlq', key: rec.key, value: rec.value ?? Buffer.alloc(0), headers };
}
