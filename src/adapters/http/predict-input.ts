/**
 * Checks on a forecast request that JSON Schema cannot express well, shared by POST /v1/predict
 * and the MCP tools: exactly one of `window`/`series`, and a 2-D window that is rectangular.
 * Runs after schema validation, so types and lengths are already known to be right.
 */
import type { ForecastRequest } from '../../pipeline/ports.ts';
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';

export function checkForecastRequest(body: ForecastRequest): ForecastRequest {
  const hasWindow = body.window !== undefined;
  const hasSeries = body.series !== undefined;
  if (hasWindow === hasSeries) {
    throw httpError(
      ErrorCodes.HTTP_BAD_REQUEST,
      400,
      hasWindow ? 'send either "window" or "series", not both' : 'the body needs "window" (your values) or "series" (a series id the server tracks)',
      { hint: 'e.g. {"window":[101.2,101.5,101.1,...]} or {"series":"AAPL"}' },
    );
  }
  const w = body.window;
  if (w !== undefined && Array.isArray(w[0])) {
    const rows = w as number[][];
    const width = rows[0].length;
    for (let i = 1; i < rows.length; i++) {
      if (!Array.isArray(rows[i]) || rows[i].length !== width) {
        throw httpError(ErrorCodes.HTTP_BAD_REQUEST, 400, `window is ragged: row 0 has ${width} features but row ${i} has ${Array.isArray(rows[i]) ? rows[i].length : 'none'}`, {
          hint: 'every row of a 2-D window must have one value per feature, in the model feature order (see GET /v1/model)',
          details: { row: i, expected: width },
        });
      }
    }
  }
  return body;
}
