/**
 * The contract of every long-lived part: start() then stop(). stop() is idempotent: calling it
 * twice returns the same promise. app-lifecycle.ts starts parts in order and stops them in reverse.
 */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Wrap a stop function so that repeated calls share one promise. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
