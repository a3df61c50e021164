/** The error of a data file whose content is wrong (TC_DATA_*: HTTP 400, not retriable), as every reader of src/data/ throws it. */
import { TickcastError } from '../errors/index.ts';

export function dataError(code: string, message: string, details?: Record<string, unknown>, cause?: unknown): TickcastError {
  return new TickcastError(code, message, { statusCode: 400, retriable: false, details, cause });
}
