/**
 * The model directory's small JSON records (pinned.json, current.json) read back: a damaged one is
 * TC_MODEL_ARTIFACT_CORRUPT naming the file and what to do, not a bare SyntaxError or "names no
 * version" (until 7 Dec 2026), so the log line an operator reads has a code docs/errors.md explains.
 */
import path from 'node:path';
import { ErrorCodes, TickcastError } from '../errors/index.ts';

/** The refusal of `file` in `dir`: `why` it cannot be used, `remedy` what the operator does. */
export function damagedRecord(dir: string, file: string, why: string, remedy: string, cause?: unknown): TickcastError {
  return new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `${path.join(dir, file)} ${why}; ${remedy}`, { statusCode: 409, ...(cause === undefined ? {} : { cause }) });
}

/** `text` parsed as a JSON object, or the damaged-record error. */
export function parseRecord(dir: string, file: string, text: string, remedy: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw damagedRecord(dir, file, `is not valid JSON (${(err as Error).message})`, remedy, err);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw damagedRecord(dir, file, 'is not a JSON object', remedy);
  return o as Record<string, unknown>;
}
