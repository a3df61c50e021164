/**
 * Parts of the ServingApi a server may not have (band quality, series-state snapshots), read the
 * same way by the REST routes and the agent tools: the value, or a 404 that says why it is off.
 */
import { ErrorCodes } from '../../errors/index.ts';
import type { ServingApi } from '../../pipeline/ports.ts';
import { httpError } from './errors.ts';

/** Query of GET /v1/band-quality and arguments of the band_quality tool. */
export const BAND_QUALITY_QUERY = { type: 'object' as const, additionalProperties: false as const, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'Series farthest from nominal coverage to list, worst first; at most 1000.' } } };

export function bandQualityOverview(serving: ServingApi, limit: number) {
  if (serving.bandQualityOverview === undefined) throw off('band quality is not tracked', 'band quality is tracked by the streaming service');
  return serving.bandQualityOverview(limit);
}

export function snapshotStatus(serving: ServingApi) {
  const status = serving.snapshotStatus?.() ?? null;
  if (status === null) throw off('series-state snapshots are off', 'snapshots need Kafka mode, snapshots.enabled and a directory (snapshots.dir or model.dir)');
  return status;
}

export function off(what: string, hint: string) {
  return httpError(ErrorCodes.HTTP_NOT_FOUND, 404, `${what} on this instance`, { hint });
}
