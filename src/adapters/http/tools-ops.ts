/** Agent tools for the state of the service: band quality and series-state snapshots (served by ./tools.ts). */
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';
import { SNAPSHOTS_HINT } from './routes/ops.ts';
import type { ToolDefinition } from './tool-definition.ts';

export function opsToolDefinitions(): ToolDefinition[] {
  return [
    {
      name: 'band_quality',
      description:
        'How well calibrated the forecast bands are: nominal p10–p90 coverage vs the mean rolling coverage across series, and the series ' +
        'farthest from nominal (worst first) with their coverage, misses below/above and pinball loss. Same as GET /v1/band-quality.',
      inputSchema: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } }, additionalProperties: false },
      run: async (serving, args) => {
        if (serving.bandQualityOverview === undefined) throw httpError(ErrorCodes.HTTP_NOT_FOUND, 404, 'band quality is not tracked on this instance', { hint: 'band quality is tracked by the streaming service' });
        return serving.bandQualityOverview(args.limit as number);
      },
    },
    {
      name: 'snapshot_status',
      description:
        'Series-state snapshots (restart in seconds): when the last snapshot was written, its size and series count, how long it held intake, ' +
        'failures, and what the last start restored from a snapshot and replayed. Same as GET /v1/snapshots.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      run: async (serving) => {
        const status = serving.snapshotStatus?.() ?? null;
        if (status === null) throw httpError(ErrorCodes.HTTP_NOT_FOUND, 404, 'series-state snapshots are off on this instance', { hint: SNAPSHOTS_HINT });
        return status;
      },
    },
  ];
}
