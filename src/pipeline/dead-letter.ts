/** Dead-letter headers: why a record was refused and where it came from. Names are documented in docs/schemas.md. */
import type { SourceRef } from '../domain/types.ts';
import type { TickcastError } from '../errors/index.ts';

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
