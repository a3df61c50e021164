/**
 * JSON schemas of every route: used by fastify to validate requests, to serialise responses and
 * by @fastify/swagger to generate the OpenAPI document at /docs. Limits come from HttpConfig.
 * The predict body schema is also the parameter schema of the `forecast` agent tool.
 */
import type { HttpConfig } from './config.ts';
import { SURPRISE_VIEWS } from '../../domain/anomaly/index.ts';

export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  description: 'Every 4xx/5xx answer. `code` is stable (see docs/errors.md); `hint` says how to fix the request; `retriable` whether the same request may succeed later unchanged.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'retriable'],
      properties: {
        code: { type: 'string', example: 'TC_HTTP_BAD_REQUEST' },
        message: { type: 'string' },
        hint: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
        retriable: {
          type: 'boolean',
          description: 'true: the same request may succeed later unchanged (overloaded, draining, rate limited, a series still warming up; wait Retry-After where given); false: change the request first. Added 6 Dec 2026.',
        },
      },
    },
  },
} as const;

export const forecastStepSchema = {
  $id: 'ForecastStep',
  type: 'object',
  description: 'One future step: quantile forecasts named p10/p50/p90 (from the model quantile levels).',
  required: ['step', 'p50'],
  properties: { step: { type: 'integer', minimum: 1 }, ts: { type: 'number' }, p50: { type: 'number', nullable: true } },
  additionalProperties: { type: 'number' },
} as const;

export const SERIES_ID_MAX = 256;

export function windowSchema(cfg: Pick<HttpConfig, 'maxWindowLength' | 'maxFeatures'>) {
  return {
    description:
      `Raw values, oldest first: number[] for one feature or number[][] as [time][feature]; at most ${cfg.maxWindowLength} time steps ` +
      `of at most ${cfg.maxFeatures} features, and the whole request within the server's body limit (http.bodyLimitBytes, 1 MiB by default: ` +
      `about 60,000 numbers of 16 significant digits; larger is 413). For a longer history send its most recent part, or a tracked series id.`,
    anyOf: [
      { type: 'array', minItems: 1, maxItems: cfg.maxWindowLength, items: { type: 'number' } },
      {
        type: 'array',
        minItems: 1,
        maxItems: cfg.maxWindowLength,
        items: { type: 'array', minItems: 1, maxItems: cfg.maxFeatures, items: { type: 'number' } },
      },
    ],
  };
}

/** Body of POST /v1/predict and arguments of the `forecast` tool. */
export function predictBodySchema(cfg: Pick<HttpConfig, 'maxWindowLength' | 'maxFeatures' | 'maxHorizon'>) {
  return {
    type: 'object',
    description: 'Send exactly one of `window` or `series`.',
    additionalProperties: false,
    properties: {
      window: windowSchema(cfg),
      series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Forecast from the server-held window of this series.' },
      horizon: { type: 'integer', minimum: 1, maximum: cfg.maxHorizon, description: 'Steps to return; default: the model horizon.' },
      explain: { type: 'boolean', description: 'Include attention weights over the window.' },
    },
  };
}

export const predictResponseSchema = {
  type: 'object',
  required: ['horizon', 'model'],
  properties: {
    series: { type: 'string' },
    model: { type: 'string', description: 'Model version that answered.' },
    horizon: { type: 'array', items: { $ref: 'ForecastStep#' } },
    targets: { type: 'object', additionalProperties: { type: 'array', items: { $ref: 'ForecastStep#' } } },
    attention: { type: 'array', items: { type: 'number' }, description: 'Weights over the window (sum 1), oldest first: attention[i] is the weight on window[i]; steps before the last spec.window (not read by the model) get 0.' },
    closedSteps: { type: 'array', items: { type: 'integer' }, description: 'Steps (1-based) whose time falls in hours the series is closed (its open hours learned); absent when none.' },
  },
} as const;

export const seriesSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ticks: { type: 'integer', description: 'Window slots filled so far: ticks accepted, plus readings the feed missed that were filled in (windows.fillMissed).' },
    lastTs: { type: ['number', 'null'] },
    ready: { type: 'boolean' },
    anomalyState: { type: 'string', enum: ['normal', 'firing'] },
    anomalyFeatures: { type: 'array', items: { type: 'string' }, description: 'Features whose alert is firing now.' },
  },
} as const;

export const seriesIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'A tracked series id (GET /v1/series lists them; case-sensitive), percent-encoded: fx%2FEURUSD for fx/EURUSD.' } },
} as const;

export const seriesDetailSchema = {
  type: 'object',
  properties: {
    ...seriesSummarySchema.properties,
    window: {
      type: 'object',
      properties: {
        ts: { type: 'array', items: { type: 'number' } },
        values: { type: 'object', additionalProperties: { type: 'array', items: { type: ['number', 'null'] } } },
        filled: { type: 'array', items: { type: 'integer' }, description: 'Positions in ts/values of readings the feed missed, filled in by interpolation (windows.fillMissed); empty when none.' },
        closedHours: { type: 'array', items: { type: 'integer' }, description: 'UTC hours of the week (Monday 00:00 = 0 … 167) the series is closed in: nothing is filled there and forecast steps skip them (windows.openHours on for this service); absent otherwise.' },
        carried: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Features the series\' latest ticks came without (input.missingFeature carry), each with how many ticks in a row: its last value is carried forward, so the window repeats it and forecasts are made from it. Empty when every feature came with the last tick.' },
      },
    },
    lastForecast: {
      type: ['object', 'null'],
      description: 'The forecast served last, in the forecasts topic\'s shape (docs/schemas.md): the model\'s, a baseline fusion served in its place (`replaces`), or a cold series\' baseline.',
      properties: {
        ts: { type: 'number' },
        model: { type: 'string' },
        replaces: { type: 'string', description: 'Only on a baseline fusion served in the model\'s place: the model version it stood in for.' },
        horizon: { type: 'array', items: { $ref: 'ForecastStep#' } },
        targets: { type: 'object', additionalProperties: { type: 'array', items: { $ref: 'ForecastStep#' } }, description: 'Multi-target models only: every target\'s steps by name (`horizon` is the first).' },
        closedSteps: { type: 'array', items: { type: 'integer' }, description: 'Steps (1-based) in hours the series is closed; absent when none (docs/schemas.md).' },
      },
    },
    lastScore: { type: ['number', 'null'] },
    lateTicks: { type: 'integer', description: 'Ticks of the series dropped as late (older than its last accepted tick) since this instance took it (kept through a restart by series-state snapshots; a replayed record is not counted twice); the warning log line "late tick dropped" names the series (docs/runbook.md).' },
    feedback: {
      type: 'object',
      description: 'Feedback in effect on this series (absent when none): the alert bar now, a maintenance span, counts per verdict, confirmed anomalies.',
      additionalProperties: true,
    },
    bandQuality: {
      type: 'object',
      description: 'Rolling band quality (absent before any forecast was realised): p10–p90 coverage vs nominal, misses below/above, pinball loss (raw and scaled by the naive error).',
      properties: {
        ticks: { type: 'integer' }, coverage: { type: 'number' }, nominal: { type: 'number' }, below: { type: 'number' }, above: { type: 'number' },
        pinball: { type: 'number' }, scaledPinball: { type: ['number', 'null'] },
      },
    },
    fusion: {
      type: 'object',
      description: 'What the series\' model forecasts are served as and why (absent with fusion.enabled false or before the first model forecast): each candidate\'s recent mean absolute error relative to naive\'s, null where not scored.',
      properties: {
        served: { type: 'string' },
        scoredTicks: { type: 'integer' },
        relativeError: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
      },
    },
  },
} as const;

export const anomalyRecordSchema = {
  type: 'object',
  properties: {
    series: { type: 'string' },
    feature: { type: 'string', description: 'The feature (column) that fired.' },
    ts: { type: 'number' },
    value: { type: 'number' },
    expected: { type: 'number' },
    lower: { type: 'number' },
    upper: { type: 'number' },
    score: { type: 'number' },
    severity: { type: 'string', enum: ['warning', 'critical'] },
    state: { type: 'string', enum: ['firing', 'resolved'] },
    model: { type: 'string' },
    view: {
      type: 'string',
      enum: [...SURPRISE_VIEWS],
      description: 'Firing records: the view of surprise (or never-seen rule) that set the score.',
    },
    kind: { type: 'string', enum: ['alert'] },
    id: { type: 'string', description: 'Stable alert id; give feedback with POST /v1/anomalies/{id}/feedback.' },
    reason: { type: 'string', enum: ['evicted', 'reset', 'moved', 'stale'], description: 'Resolved records only, not a recovery: the series left memory while its alert fired (evicted), a restart started its detector afresh (reset), or its input partition moved here from another instance and this detector does not have the alert firing (moved), or the feature had no value for longer than anomaly.staleFeatureMs (stale).' },
    eviction: { type: 'string', enum: ['idle', 'cap'], description: 'With reason "evicted": why the series went (windows.idleEvictMs or windows.maxSeries).' },
    firingId: { type: 'string', description: 'Resolved records only: the id of the firing record this resolve closes (after an escalation, the critical one). Feedback on the alert names it; feedback given on this record\'s own id applies to it too.' },
    tickTs: { type: 'number', description: 'Resolved records only, when the resolving tick is stamped before the firing record (its series stepped back onto its true clock after firing on a tick stamped ahead): that tick\'s ts; ts is then the firing\'s, so a resolve is never earlier than its firing.' },
    heldUntilTs: { type: 'number', description: 'Firing records only: held back by a maintenance span (expected feedback) and sent late, at this tick (epoch ms, as the tick was stamped: a fraction of a millisecond is kept); ts is its real start.' },
    source: {
      type: 'object',
      properties: { topic: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'string' } },
    },
  },
} as const;

export const anomaliesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Only this series\' alerts (case-sensitive). An id this instance does not track: an empty list and seriesTracked false.' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Alerts to return, newest first; at most 1000.' },
  },
} as const;

export const modelInfoSchema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    engine: { type: 'string' },
    backend: { type: 'string' },
    spec: {
      type: 'object',
      properties: {
        window: { type: 'integer' },
        features: { type: 'array', items: { type: 'string' } },
        targets: { type: 'array', items: { type: 'string' } },
        horizon: { type: 'integer' },
        quantiles: { type: 'array', items: { type: 'number' } },
      },
    },
    training: { type: 'object', additionalProperties: true },
    versions: { type: 'array', items: { type: 'string' }, description: 'Versions that load and verify, newest first; those in incompatibleVersions cannot serve here; those in unfinishedVersions never completed their promotion.' },
    incompatibleVersions: {
      type: 'array',
      description: 'Versions in `versions` trained for another spec (window, features, targets, horizon, quantiles) than the serving model: a rollback to one is 409 TC_MODEL_ARTIFACT_MISMATCH. Absent when none.',
      items: { type: 'object', properties: { version: { type: 'string' }, reason: { type: 'string' }, differences: { type: 'array', items: { type: 'string' } } } },
    },
    damagedVersions: { type: 'array', items: { type: 'object', properties: { version: { type: 'string' }, reason: { type: 'string' } } } },
    unfinishedVersions: { type: 'array', description: 'Versions in `versions` that a fine-tune promotion saved but never recorded as current (the process stopped between the save and the record, or another replica is promoting one now; TC_MODEL_PROMOTION_UNFINISHED at start): never served, not served by a restart, servable only by naming one in a rollback. Absent when none.', items: { type: 'object', properties: { version: { type: 'string' }, parent: { type: 'string' }, reason: { type: 'string' } } } },
    restoredVersions: { type: 'array', description: 'Versions in `versions` that an automatic rollback saved again because the version it rolled back to had been deleted from model.dir: `restoredFrom` the version copied, `origin` the one whose weights it holds (a copy of a copy names the first). A rollback treats a copy as its origin (predecessor, direction). Absent when none.', items: { type: 'object', properties: { version: { type: 'string' }, restoredFrom: { type: 'string' }, origin: { type: 'string' } } } },
    pinned: { type: 'boolean' },
    servingSinceMs: {
      type: 'integer',
      description: 'When this instance began serving `version` (Unix ms): its promotion, rollback or the change followed from model.dir, else its load at start. After a rollback it is later than tickcast_model_last_promotion_timestamp_seconds × 1000, which a rollback does not move.',
    },
  },
} as const;

export const rollbackBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 256, pattern: '^v[1-9][0-9]{0,15}$', description: 'Version to roll back to (v1, v2, … as GET /v1/model lists them); default: the previous one.' },
    pin: { type: 'boolean', description: 'Keep this version until unpinned (no automatic promotion).' },
  },
} as const;

export const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    live: { type: 'boolean' },
    ready: { type: 'boolean' },
    draining: { type: 'boolean' },
    reasons: { type: 'array', items: { type: 'string' } },
  },
} as const;
