import type { RawRecord } from '../domain/types.ts';

/**
 * Tracing hooks (implemented in src/telemetry/pipeline-tracer.ts on OpenTelemetry). One consume
 * span per chunk of records: child of the first record's incoming trace context, linked to the
 * others'; window, inference and produce spans under it. `inject` writes the produce span's
 * context into an output record's headers.
 */
export interface PipelineTracer {
  chunk<T>(records: RawRecord[], fn: () => Promise<T>): Promise<T>;
  window<T>(records: number, fn: () => T): T;
  inference<T>(windows: number, fn: () => Promise<T>): Promise<T>;
  produce<T>(messages: number, fn: (inject: (headers: Record<string, string | Buffer | Buffer[]>) => void) => Promise<T>): Promise<T>;
}
