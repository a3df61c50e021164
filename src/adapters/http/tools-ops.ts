/** Agent tools for the state of the service: band quality and series-state snapshots (served by ./tools.ts). */
import { BAND_QUALITY_QUERY, bandQualityOverview, snapshotStatus } from './optional-parts.ts';
import type { ToolDefinition } from './tool-definition.ts';
import type { ObjectSchema } from './tool-output-schemas.ts';

/** `out`: outputSchema by tool name (tool-output-schemas.ts). */
export function opsToolDefinitions(out: Record<string, ObjectSchema>): ToolDefinition[] {
  return [
    {
      name: 'band_quality',
      title: 'Forecast band quality',
      outputSchema: out.band_quality,
      description:
        'How well calibrated the forecast bands are: nominal p10–p90 coverage vs the mean rolling coverage across series, and the series ' +
        'farthest from nominal (worst first) with their coverage, misses below/above and pinball loss. Same as GET /v1/band-quality.',
      inputSchema: BAND_QUALITY_QUERY,
      run: async (serving, args) => bandQualityOverview(serving, args.limit as number),
    },
    {
      name: 'snapshot_status',
      title: 'Series-state snapshot status',
      outputSchema: out.snapshot_status,
      description:
        'Series-state snapshots (restart in seconds): when the last snapshot was written, its size and series count, how long it held intake, ' +
        'failures, and what the last start restored from a snapshot and replayed. Same as GET /v1/snapshots.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      run: async (serving) => snapshotStatus(serving),
    },
  ];
}
