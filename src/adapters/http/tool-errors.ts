/**
 * An error a tool passes on, in the words of the tools: the services below the tools (serving, alert
 * feedback) phrase their hints for REST callers ("GET /v1/series lists the tracked series"), and an
 * agent on /mcp has no REST route to call — it has the tool twin. Each route below that has one is
 * named as that tool in the error's message and hint, and "this route" (a refusal for want of an API
 * key) becomes "this tool"; anything else passes unchanged.
 */
import type { ErrorBody } from './errors.ts';

/** REST read routes and the tool that answers the same (docs/http-api.md § Agent tools). */
export const TOOL_FOR_ROUTE: Readonly<Record<string, string>> = Object.freeze({
  'GET /v1/series': 'list_series',
  'GET /v1/anomalies': 'recent_anomalies',
  'GET /v1/feedback': 'list_alert_feedback',
  'GET /v1/incidents': 'list_incidents',
  'GET /v1/band-quality': 'band_quality',
  'GET /v1/snapshots': 'snapshot_status',
});

// A route named alone: not `GET /v1/series/{id}` or `GET /v1/anomalies?series=…`, which no tool mirrors as such.
const ROUTE = new RegExp(`(${Object.keys(TOOL_FOR_ROUTE).map((r) => r.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})(?![\\w/?{-])`, 'g');

/**
 * `GET /v1/model` (the model's features, in order: a ragged window's hint) has no tool twin; the
 * forecast tool's description in tools/list states the same facts. Until 7 Dec 2026 an agent was
 * pointed at the REST route, which it cannot call.
 */
const MODEL_ROUTE = /(?:see )?GET \/v1\/model(?![\w/?{-])/g;
const MODEL_IN_TOOLS = "the forecast tool's description in tools/list, which states the model's window, features in order and horizon";

function toolWords(text: string): string {
  // The auth refusals speak of "this route" (./auth.ts): a tool call's is the tool.
  return text.replace(ROUTE, (route) => `the ${TOOL_FOR_ROUTE[route]} tool`).replace(MODEL_ROUTE, (m) => (m.startsWith('see ') ? `see ${MODEL_IN_TOOLS}` : MODEL_IN_TOOLS)).replace(/\bthis route\b/g, 'this tool');
}

/** `body` with the REST routes its message and hint name replaced by their tools. */
export function inToolWords(body: ErrorBody): ErrorBody {
  const { message, hint } = body.error;
  return { error: { ...body.error, message: toolWords(message), ...(hint !== undefined ? { hint: toolWords(hint) } : {}) } };
}
