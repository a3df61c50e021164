/**
 * The agent tools, defined once: JSON Schema parameters + a runner over the ServingApi. Served as
 * MCP tools at /mcp and as function-calling schemas at GET /v1/tools, so both always agree.
 * Arguments are validated with the same strict validator as REST bodies.
 */
import type { ModelSpec } from '../../domain/types.ts';
import type { ForecastRequest, ServingApi } from '../../pipeline/ports.ts';
import { seriesNotFound } from '../../errors/index.ts';
import type { HttpConfig } from './config.ts';
import { checkForecastRequest } from './predict-input.ts';
import { SERIES_ID_MAX, windowSchema } from './schemas.ts';
import { seriesListQuerySchema, seriesPage } from './series-page.ts';
import { alertToolDefinitions } from './tools-alerts.ts';
import { opsToolDefinitions } from './tools-ops.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { toolOutputSchemas } from './tool-output-schemas.ts';

export type { ToolDefinition };

type Limits = Pick<HttpConfig, 'maxWindowLength' | 'maxFeatures' | 'maxHorizon'>;
/** What a forecast's arguments must fit in the serving model: its window, features and horizon (GET /v1/model's spec). */
export type ModelFacts = Pick<ModelSpec, 'window' | 'features' | 'horizon'>;

/** `model`: the serving model's spec, stated in forecast's and explain_forecast's descriptions where given (what tools/list and GET /v1/tools show). */
export function toolDefinitions(cfg: Limits, model?: ModelFacts): ToolDefinition[] {
  const forecastArgs = forecastArguments(cfg, model);
  const out = toolOutputSchemas();
  return [
    {
      name: 'forecast',
      title: 'Forecast a time series',
      outputSchema: out.forecast,
      description:
        'Probabilistic forecast of the next steps of a time series. Give exactly one of `window` (recent values, oldest first) ' +
        'or `series` (a tracked series id). Returns per step the p10, p50 (median) and p90 quantiles and the model version.',
      ...forecastArgs,
      run: (serving, args, signal) => serving.forecast(checkForecastRequest({ ...(args as ForecastRequest), explain: false }), signal),
    },
    {
      name: 'list_series',
      title: 'List tracked series',
      outputSchema: out.list_series,
      description:
        'List the time series this service tracks, with tick counts, last timestamp, readiness and anomaly state. Paged like GET /v1/series: ' +
        '`limit` (at most 1000, default 100) series from `offset`, sorted by id; the answer has `total` and `nextOffset` (null on the last page).',
      inputSchema: seriesListQuerySchema,
      run: async (serving, args) => seriesPage(serving, args.offset as number, args.limit as number),
    },
    {
      name: 'recent_anomalies',
      title: 'Recent anomaly alerts',
      outputSchema: out.recent_anomalies,
      description:
        'Recent anomaly alerts (value outside the forecast band), newest first; optionally for one `series` ' +
        '(an id list_series lists: an id this service does not track is an error, a tracked series without alerts an empty list).',
      inputSchema: {
        type: 'object',
        properties: {
          series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Only this series\' alerts: an id list_series lists (case-sensitive); an id not tracked is the error TC_SERIES_NOT_FOUND.' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'Alerts to return, newest first; at most 1000.' },
        },
        additionalProperties: false,
      },
      run: async (serving, args) => ({ items: recentAnomalies(serving, args.series as string | undefined, args.limit as number) }),
    },
    {
      name: 'explain_forecast',
      title: 'Explain a forecast',
      outputSchema: out.explain_forecast,
      description:
        'Forecast plus the model attention weights over the input window: which past time steps the model relied on. ' +
        'Returns the forecast, `attention` (one weight per window step, oldest first) and the most-attended steps.',
      ...forecastArgs,
      run: async (serving, args, signal) => {
        const res = await serving.forecast(checkForecastRequest({ ...(args as ForecastRequest), explain: true }), signal);
        return { ...res, mostAttended: mostAttended(res.attention ?? []) };
      },
    },
    ...alertToolDefinitions(out), ...opsToolDefinitions(out),
  ];
}

/**
 * Arguments of forecast and explain_forecast: exactly one of window and series, said in the schema's and
 * both fields' descriptions and checked by the server (`exactlyOne`, ./tool-arguments.ts); not in the
 * schema's keywords, which would need a top-level combinator (until 7 Dec 2026 `if`/`then`/`else`).
 * With `model`, the descriptions say what the serving model needs — at least spec.window steps of
 * spec.features values, a horizon up to spec.horizon — in words, not in the keywords, which stay the
 * HTTP limits the server validates against (the model's own checks answer TC_MODEL_INPUT_SHAPE).
 * Until 7 Dec 2026 they said neither, and their example window held 3 values, which every model refuses.
 */
function forecastArguments(cfg: Limits, model?: ModelFacts): Pick<ToolDefinition, 'inputSchema' | 'exactlyOne'> {
  const rule = 'Exactly one of `window` or `series`: send';
  const window = windowSchema(cfg);
  const needs = model === undefined ? '' : ` ${windowNeeds(model)}`;
  const horizon = model === undefined ? 'default: the model horizon' : `1 to ${model.horizon} (the model's horizon, also the default)`;
  const properties = {
    window: { ...window, description: `${rule} this or a tracked series id, never both.${needs} ${window.description}` },
    series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: `${rule} this (a series the service tracks, see list_series) or your own values as window, never both.` },
    horizon: { type: 'integer', minimum: 1, maximum: cfg.maxHorizon, description: `Steps ahead to return; ${horizon}.` },
  };
  const inputSchema = {
    type: 'object' as const,
    description: `Send exactly one of \`window\` (your values, oldest first) or \`series\` (a tracked series id; list_series lists them), e.g. {"series":"AAPL"} or {"window":[101.2,101.5,101.1,...]}.${needs}`,
    properties,
    additionalProperties: false as const,
  };
  return { inputSchema, exactlyOne: ['window', 'series'] };
}

/** What the serving model reads from a window, in one sentence. */
function windowNeeds(model: ModelFacts): string {
  const f = model.features.length;
  const steps = f === 1 ? 'numbers (number[])' : `rows of ${f} values, one per feature in the order ${model.features.join(', ')} (number[][])`;
  return `The serving model needs at least its last ${model.window} steps: send ${model.window} or more ${steps}; it reads the last ${model.window}.`;
}

/**
 * recent_anomalies' items. A `series` this instance does not track and that has no recent alerts is
 * TC_SERIES_NOT_FOUND, as for forecast (until 6 Dec 2026 an empty list, which read as "no alerts" for a
 * misspelt id); an evicted series whose alerts are still among the recent ones keeps them listed.
 */
function recentAnomalies(serving: ServingApi, series: string | undefined, limit: number) {
  const items = serving.recentAnomalies({ series, limit });
  if (series !== undefined && items.length === 0 && !serving.hasSeries(series)) throw seriesNotFound(series, serving.similarSeries(series));
  return items;
}

/** The 5 window steps with the most attention, heaviest first. */
function mostAttended(att: number[]) {
  return att
    .map((weight, index) => ({ index, stepsAgo: att.length - index, weight }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 5);
}

/** OpenAI-style function-calling schemas (also accepted by most agent frameworks). */
export function functionCallingSchemas(tools: ToolDefinition[]) {
  return tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
}
