import type { RawRecord } from '../domain/types.ts';

/**
 * Tracing hooks (implemented in src/telemetry/pipeline-tracer.ts on OpenTelemetry). One consume
 * span per chunk of records: child of the first record's incoming trace context, linked to the
 * others'; window, inference and produce spans under it. `inject` writes the produce span's
 * context into an output record's headers; with `deadLetter` (the headers are the refused input's
 * own) a valid incoming trace context stays as it came, so the dead letter continues the tick's
 * trace and is the record as it was sent (before 7 Dec 2026 the produce span's context replaced it).
 */
export interface PipelineTracer {
  chunk<T>(records: RawRecord[], fn: () => Promise<T>): Promise<T>;
  window<T>(records: number, fn: () => T): T;
  inference<T>(windows: number, fn: () => Promise<T>): Promise<T>;
  produce<T>(messages: number, fn: (inject: (headers: Record<string, string | Buffer | Buffer[]>, deadLetter?: boolean) => void) => Promise<T>): Promise<T>;
}
