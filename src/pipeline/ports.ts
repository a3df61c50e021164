/**
 * Ports: the interfaces the streaming use case is written against. Adapters (Kafka, in-memory,
 * HTTP) and the model implement them; only app.ts plugs concrete parts in.
 */
import type { ModelSpec, RawRecord } from '../domain/types.ts';

/** A batch of model input: z-normalised windows, row-major [batch, window, features]. */
export interface PredictBatch {
  x: Float32Array;
  batch: number;
}

/** Model output in normalised space. */
export interface PredictResult {
  /** Quantile forecasts, row-major [batch, horizon, targets, quantiles]; ascending along quantiles. */
  y: Float32Array;
  /** Attention-pooling weights over the window, row-major [batch, window]; present when asked for. */
  attention?: Float32Array;
}

/**
 * The model as the pipeline sees it. Implementations: the tfjs hybrid model (src/model) and the
 * ONNX engine. `predict` must not keep references to `x` after it resolves.
 */
export interface Predictor {
  readonly spec: ModelSpec;
  /** Model version label, e.g. "v3-2026-11-21T02:40:00Z". */
  readonly version: string;
  /** Inference engine: "onnx" or "tfjs". */
  readonly engine: string;
  /** tfjs backend or ONNX execution provider actually in use, e.g. "wasm", "cpu", "cuda". */
  readonly backend: string;
  predict(batch: PredictBatch, opts?: { attention?: boolean }): Promise<PredictResult>;
  dispose(): Promise<void>;
}

/** A message for an output topic. `topic` is the logical stream; the sink maps it to a topic name. */
export interface OutMessage {
  stream: 'forecasts' | 'anomalies' | 'dlq';
  key: Buffer | string | null;
  value: Buffer | string;
  headers: Record<string, string | Buffer>;
}

/** Where outputs go. `send` resolves only when the transport has acknowledged every message. */
export interface OutputSink {
  send(messages: OutMessage[]): Promise<void>;
}

/**
 * Where records come from. The source calls `handle` with consecutive records of one partition and
 * must not commit their offsets before the returned promise resolves (at-least-once).
 */
export interface RecordHandler {
  (records: RawRecord[]): Promise<void>;
}

export interface TickSource {
  start(handle: RecordHandler): Promise<void>;
  /** Stop fetching (backpressure); records already handed over are still processed. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** True once the source has partitions assigned (or is in-process). Used by /readyz. */
  isAssigned(): boolean;
}
