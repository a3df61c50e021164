/**
 * One page of the tracked series, as GET /v1/series and the MCP `list_series` tool answer it: the
 * same query (offset ≥ 0, 1 ≤ limit ≤ 1000, defaults 0 and 100) and the same body, so an agent
 * pages exactly as a REST client does. Ids are sorted, so pages are stable while no series comes or
 * goes; `nextOffset` is where the next page starts (null on the last one).
 */
import type { ServingApi, SeriesSummary } from '../../pipeline/ports.ts';
import { seriesSummarySchema } from './schemas.ts';

export const SERIES_PAGE_MAX = 1000;

export const seriesListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offset: { type: 'integer', minimum: 0, default: 0, description: 'Series to skip (ids sorted); the previous page\'s nextOffset.' },
    limit: { type: 'integer', minimum: 1, maximum: SERIES_PAGE_MAX, default: 100, description: `Page size, at most ${SERIES_PAGE_MAX}.` },
  },
} as const;

export const seriesPageSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer', description: 'Series tracked now.' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
    nextOffset: { type: ['integer', 'null'], description: 'offset of the next page; null when this is the last one.' },
    items: { type: 'array', items: seriesSummarySchema },
  },
} as const;

export interface SeriesPage {
  total: number;
  offset: number;
  limit: number;
  nextOffset: number | null;
  items: SeriesSummary[];
}

export function seriesPage(serving: ServingApi, offset: number, limit: number): SeriesPage {
  const { total, items } = serving.listSeries({ offset, limit });
  return { total, offset, limit, nextOffset: offset + limit < total ? offset + limit : null, items };
}
