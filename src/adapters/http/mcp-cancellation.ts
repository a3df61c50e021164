/**
 * MCP cancellation on a stateless endpoint (docs/http-api.md § Agent tools, "Cancellation").
 *
 * Each POST /mcp gets a fresh SDK server, so the SDK's own handling of `notifications/cancelled`
 * (abort the handler of that request id on the same server) never finds the call, which lives in
 * another POST. This registry spans the POSTs: every tools/call in flight is entered under its
 * caller's scope and its JSON-RPC id, and a cancellation from the same scope aborts it.
 *
 * Request ids are the client's own counters (SDK clients number from 0), so two clients can have
 * the same id in flight; the scope (API key fingerprint, else anonymous, plus the client address)
 * separates most of them, and what it cannot separate is never cancelled:
 * - two calls in flight under the same scope and id: neither (the spec lets a receiver ignore a
 *   cancellation it cannot act on);
 * - a call under that scope and id that ended within `recentMs`: none either, since the spec
 *   warns a cancellation often arrives after its request has finished — the one in flight may be
 *   another client's.
 */

/** How long an ended call's scope and id stay remembered (a late cancellation for it is ignored). */
export const RECENT_MS = 10_000;
/** At most this many ended calls remembered; the oldest go first (a bound under any call rate). */
const RECENT_MAX = 10_000;

export type CancelOutcome = 'cancelled' | 'unknown' | 'ambiguous';

/** The reason a cancelled call's signal carries. */
export class McpCancelledError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason === undefined ? 'cancelled by the client (notifications/cancelled)' : `cancelled by the client: ${reason.slice(0, 200)}`);
    this.name = 'McpCancelledError';
  }
}

export class McpInFlightCalls {
  readonly #inFlight = new Map<string, Set<AbortController>>();
  /** key → when the last call under it ended (ms), in insertion order. */
  readonly #ended = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now, private readonly recentMs = RECENT_MS) {}

  /** Enter a call; the returned function ends it (call it once the answer is decided). */
  track(scope: string, id: string | number, controller: AbortController): () => void {
    const k = key(scope, id);
    let set = this.#inFlight.get(k);
    if (set === undefined) this.#inFlight.set(k, (set = new Set()));
    set.add(controller);
    return () => {
      set.delete(controller);
      if (set.size === 0 && this.#inFlight.get(k) === set) this.#inFlight.delete(k);
      this.#remember(k);
    };
  }

  /** Act on `notifications/cancelled` from `scope` naming `id`. */
  cancel(scope: string, id: string | number, reason: string | undefined): CancelOutcome {
    const k = key(scope, id);
    const set = this.#inFlight.get(k);
    if (set === undefined || set.size === 0) return 'unknown';
    const ended = this.#ended.get(k);
    if (set.size > 1 || (ended !== undefined && this.now() - ended < this.recentMs)) return 'ambiguous';
    const [controller] = set;
    controller.abort(new McpCancelledError(reason));
    return 'cancelled';
  }

  /** Calls in flight (for tests and leak checks). */
  get size(): number {
    let n = 0;
    for (const set of this.#inFlight.values()) n += set.size;
    return n;
  }

  #remember(k: string): void {
    this.#ended.delete(k);
    this.#ended.set(k, this.now());
    const cutoff = this.now() - this.recentMs;
    for (const [old, at] of this.#ended) {
      if (at >= cutoff && this.#ended.size <= RECENT_MAX) break;
      this.#ended.delete(old);
    }
  }
}

function key(scope: string, id: string | number): string {
  return `${scope}\u0000${idKey(id)}`;
}

/**
 * The requests of a batch that a cancellation in the same batch names (JSON ids). The SDK may
 * hand the notification on before the call is entered, so such a call is refused where it starts,
 * and the cancellation is not applied to the registry (where it could meet another call's id).
 */
export function cancelledInBatch(body: unknown): Set<string> {
  const named = new Set<string>();
  if (!Array.isArray(body)) return named;
  const requests = new Set(body.filter((m) => isObject(m) && 'method' in m && 'id' in m).map((m) => JSON.stringify(m.id)));
  for (const m of body) {
    if (!isObject(m) || m.method !== 'notifications/cancelled' || !isObject(m.params)) continue;
    const id = JSON.stringify(m.params.requestId);
    if (requests.has(id)) named.add(id);
  }
  return named;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** How ids are compared: as JSON writes them (7 and "7" are different requests). */
export const idKey = (id: string | number): string => JSON.stringify(id);
