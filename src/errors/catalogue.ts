import { TickcastError } from './tickcast-error.ts';

/**
 * The one catalogue of error codes. docs/errors.md lists the same codes; a test keeps the two
 * in sync. Add a code here first, then document it.
 */
export const ErrorCodes = {
  // configuration (process exits 78 / EX_CONFIG)
  CONFIG_INVALID: 'TC_CONFIG_INVALID',
  // input records (dead-lettered, never fatal)
  RECORD_NOT_JSON: 'TC_RECORD_NOT_JSON',
  RECORD_TOO_LARGE: 'TC_RECORD_TOO_LARGE',
  RECORD_INVALID: 'TC_RECORD_INVALID',
  RECORD_BAD_SERIES: 'TC_RECORD_BAD_SERIES',
  RECORD_BAD_TS: 'TC_RECORD_BAD_TS',
  RECORD_BAD_VALUE: 'TC_RECORD_BAD_VALUE',
  RECORD_MISSING_FEATURE: 'TC_RECORD_MISSING_FEATURE',
  RECORD_UNDECODABLE: 'TC_RECORD_UNDECODABLE',
  RECORD_PROCESSING_FAILED: 'TC_RECORD_PROCESSING_FAILED',
  // model
  MODEL_NOT_LOADED: 'TC_MODEL_NOT_LOADED',
  MODEL_ARTIFACT_CORRUPT: 'TC_MODEL_ARTIFACT_CORRUPT',
  MODEL_ARTIFACT_MISMATCH: 'TC_MODEL_ARTIFACT_MISMATCH',
  MODEL_INPUT_SHAPE: 'TC_MODEL_INPUT_SHAPE',
  BACKEND_UNAVAILABLE: 'TC_BACKEND_UNAVAILABLE',
  ENGINE_UNAVAILABLE: 'TC_ENGINE_UNAVAILABLE',
  TRAINING_DIVERGED: 'TC_TRAINING_DIVERGED',
  MODEL_OUT_OF_MEMORY: 'TC_MODEL_OUT_OF_MEMORY',
  // series-state snapshots (restart; a bad snapshot is ignored and windows are rebuilt by replay)
  SNAPSHOT_CORRUPT: 'TC_SNAPSHOT_CORRUPT',
  SNAPSHOT_INCOMPATIBLE: 'TC_SNAPSHOT_INCOMPATIBLE',
  // offline data (CSV files for train/backtest)
  DATA_UNREADABLE: 'TC_DATA_UNREADABLE',
  DATA_COLUMN_MISSING: 'TC_DATA_COLUMN_MISSING',
  DATA_NOT_NUMERIC: 'TC_DATA_NOT_NUMERIC',
  DATA_BAD_TIME: 'TC_DATA_BAD_TIME',
  DATA_TIME_UNSORTED: 'TC_DATA_TIME_UNSORTED',
  DATA_TOO_SHORT: 'TC_DATA_TOO_SHORT',
  DATA_MALFORMED: 'TC_DATA_MALFORMED',
  DATA_OUT_OF_DOMAIN: 'TC_DATA_OUT_OF_DOMAIN',
  // command line (process exits 64 / EX_USAGE; 73 / EX_CANTCREAT for an output it cannot write)
  CLI_USAGE: 'TC_CLI_USAGE',
  CLI_CANNOT_CREATE: 'TC_CLI_CANNOT_CREATE',
  // serving
  OVERLOADED: 'TC_OVERLOADED',
  SHUTTING_DOWN: 'TC_SHUTTING_DOWN',
  SERIES_NOT_FOUND: 'TC_SERIES_NOT_FOUND',
  SERIES_NOT_READY: 'TC_SERIES_NOT_READY',
  // alert feedback (HTTP / MCP, or dead-lettered from the feedback topic)
  FEEDBACK_INVALID: 'TC_FEEDBACK_INVALID',
  ALERT_NOT_FOUND: 'TC_ALERT_NOT_FOUND',
  // HTTP
  HTTP_BAD_REQUEST: 'TC_HTTP_BAD_REQUEST',
  HTTP_UNAUTHORIZED: 'TC_HTTP_UNAUTHORIZED',
  HTTP_HOST_NOT_ALLOWED: 'TC_HTTP_HOST_NOT_ALLOWED',
  HTTP_NOT_FOUND: 'TC_HTTP_NOT_FOUND',
  HTTP_PAYLOAD_TOO_LARGE: 'TC_HTTP_PAYLOAD_TOO_LARGE',
  HTTP_UNSUPPORTED_MEDIA_TYPE: 'TC_HTTP_UNSUPPORTED_MEDIA_TYPE',
  HTTP_RATE_LIMITED: 'TC_HTTP_RATE_LIMITED',
  // transport
  PRODUCE_FAILED: 'TC_PRODUCE_FAILED',
  KAFKA_CLIENT_UNAVAILABLE: 'TC_KAFKA_CLIENT_UNAVAILABLE',
  INTERNAL: 'TC_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Input-record errors: the record goes to the dead-letter topic with this code. */
export function recordError(code: ErrorCode, message: string, details?: Record<string, unknown>): TickcastError {
  return new TickcastError(code, message, { statusCode: 400, retriable: false, details });
}
