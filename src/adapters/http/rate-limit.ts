/**
 * Token buckets per client (API key fingerprint, else IP). Each bucket holds up to `burst` tokens
 * and refills at `perSecond`; a request takes one token (`cost` more for a request that carries
 * several calls, such as a JSON-RPC batch on /mcp). The map is bounded: when it reaches
 * `maxClients`, full (idle) buckets are dropped first, then the oldest ones — a dropped bucket
 * simply starts full again, which errs on the side of letting a client through.
 */
export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until one token is available again (≥ 1 when refused). */
  retryAfterSeconds: number;
  remaining: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #maxClients: number;
  readonly #now: () => number;

  constructor(opts: { perSecond: number; burst: number; maxClients: number; now?: () => number }) {
    this.#perSecond = opts.perSecond;
    this.#burst = opts.burst;
    this.#maxClients = opts.maxClients;
    this.#now = opts.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Take `cost` tokens (1: one request) or none: a refused take leaves the bucket as it was. */
  take(clientId: string, cost = 1): TakeResult {
    const now = this.#now();
    let b = this.#buckets.get(clientId);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxClients) this.#evict(now);
      b = { tokens: this.#burst, updatedMs: now };
    } else {
      this.#buckets.delete(clientId); // re-insert below: Map order is then least-recently-used first
      b.tokens = Math.min(this.#burst, b.tokens + ((now - b.updatedMs) / 1000) * this.#perSecond);
      b.updatedMs = now;
    }
    this.#buckets.set(clientId, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(b.tokens) };
    }
    const wait = (Math.min(cost, this.#burst) - b.tokens) / this.#perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)), remaining: 0 };
  }

  #evict(now: number): void {
    for (const [id, b] of this.#buckets) {
      if (b.tokens + ((now - b.updatedMs) / 1000) * this.#perSecond >= this.#burst) this.#buckets.delete(id);
    }
    // Still full: drop the least recently used quarter.
    if (this.#buckets.size >= this.#maxClients) {
      let n = Math.max(1, Math.floor(this.#maxClients / 4));
      for (const id of this.#buckets.keys()) {
        if (n-- <= 0) break;
        this.#buckets.delete(id);
      }
    }
  }
}
