/**
 * Ports: the interfaces the streaming use case is written against. Adapters (Kafka, in-memory,
 * HTTP) and the model implement them; only app.ts plugs concrete parts in. The other layers import
 * ports from this file only: the serving API (serving-port.ts), the per-tick hooks (stream-hooks-port.ts)
 * tracing (tracer-port.ts) and the feedback store (feedback-store-port.ts) live in files of their own and are re-exported here.
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

/**
 * Where the serving predictor lives. The model lifecycle (src/model) is given one at construction
 * and swaps promoted or rolled-back models into it; the inference stage implements it (a batch runs
 * entirely on the predictor it started with; a replaced one is disposed after its last batch).
 */
export interface PredictorSlot {
  readonly predictor: Predictor;
  swap(next: Predictor): void;
}

/** A message for an output topic: `stream` is the logical stream, the sink maps it to a topic name. `alertState` (alert-state.ts): `value` null is a tombstone, `partition` the series' input partition (elsewhere absent: the partitioner's). */
export interface OutMessage {
  stream: 'forecasts' | 'anomalies' | 'dlq' | 'alertState';
  key: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  /** A repeated header name carries its values in order (dead letters keep the original headers). */
  headers: Record<string, string | Buffer | Buffer[]>;
}

/** Where outputs go. `send` resolves only when the transport has acknowledged every message. */
export interface OutputSink {
  send(messages: OutMessage[]): Promise<void>;
}

/** Where records come from: `handle` gets consecutive records of one partition; their offsets are committed only once it resolves. */
export type RecordHandler = (records: RawRecord[]) => Promise<void>;

export interface TickSource {
  start(handle: RecordHandler, signal?: AbortSignal): Promise<void>;
  /** Stop fetching (backpressure); records already handed over are still processed. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** After stop(): no chunk handed over is still handled. The drain gives up only those, never the rest of stop() (a consumer's leave). Absent: stop() covers both. */
  chunksDone?(): Promise<void>;
  /** Joined its consumer group once (an empty assignment counts; rebalances don't undo it), or in-process and started. /readyz. */
  hasJoined(): boolean;
  /** Partitions may be on their way to another instance (revoked, rebalance not completed; or leaving the group). Absent: never. */
  handingOver?(): boolean;
}

export type * from './serving-port.ts';
export type * from './stream-hooks-port.ts';
export type { PipelineTracer } from './tracer-port.ts';
export type { FeedbackLogOp, FeedbackStore } from './feedback-store-port.ts';
