/** Errors more than one layer raises in the same words (the serving API and the MCP tools). */
import { ErrorCodes } from './catalogue.ts';
import { TickcastError } from './tickcast-error.ts';

/**
 * A series this instance does not track (404): a forecast of it, GET /v1/series/{id}, and the recent_anomalies tool's list. The hint names the REST route; the MCP
 * tools name their twin, list_series, instead (src/adapters/http/tool-errors.ts).
 */
export function seriesNotFound(series: string, similar: readonly string[] = []): TickcastError {
  // `similar`: tracked ids close to it (src/domain/similar-ids.ts), named first in the hint ("did you mean").
  const guess = similar.length > 0 ? `did you mean ${similar.map((id) => JSON.stringify(id)).join(' or ')}? ` : '';
  return new TickcastError(ErrorCodes.SERIES_NOT_FOUND, `series "${series}" is not tracked by this instance`, {
    statusCode: 404,
    details: { hint: `${guess}GET /v1/series lists the tracked series; series ids are case-sensitive`, ...(similar.length > 0 ? { didYouMean: [...similar] } : {}) },
  });
}
