/**
 * Bearer API keys. Keys are compared in constant time (SHA-256 digests of equal length through
 * timingSafeEqual, every configured key checked without an early exit), and only a short
 * fingerprint of a key ever leaves this file (for rate-limit buckets and logs). The set can be
 * replaced while the server runs (./api-key-reload.ts: the keys file re-read); listeners hear of it
 * (live event streams opened with a key that is gone end, ./routes/events.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { envName } from '../../config/env-name.ts';
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';
import type { HttpConfig } from './config.ts';

/** The setting that holds the keys, as a 401 names it: key and variable, from the config's own rule. */
const API_KEYS_SETTING = `http.apiKeys / ${envName('http.apiKeys')}`;

/** A key's fingerprint: the first bytes of its SHA-256, in hex (rate-limit buckets, logs, feedback actor). */
const FINGERPRINT_BYTES = 6;

export type AuthResult =
  | { kind: 'none' }
  | { kind: 'valid'; fingerprint: string }
  | { kind: 'invalid'; reason: string; hint?: string };

export class ApiKeyAuth {
  #digests: Buffer[];
  readonly #changed = new Set<() => void>();
  readonly #config: Pick<HttpConfig, 'apiKeys' | 'requireAuthForReads' | 'allowUnauthenticatedMutations'>;

  constructor(config: Pick<HttpConfig, 'apiKeys' | 'requireAuthForReads' | 'allowUnauthenticatedMutations'>) {
    this.#config = config;
    this.#digests = config.apiKeys.map((k) => sha256(k));
  }

  /** Number of keys accepted now. */
  get size(): number {
    return this.#digests.length;
  }

  /** Accept exactly these keys from now on (validated by the caller), and tell the listeners. */
  replaceKeys(keys: readonly string[]): void {
    this.#digests = keys.map((k) => sha256(k));
    for (const l of [...this.#changed]) l();
  }

  /** Whether a key with this fingerprint (from a `valid` result) is still accepted. */
  accepts(fingerprint: string): boolean {
    return this.#digests.some((d) => d.subarray(0, FINGERPRINT_BYTES).toString('hex') === fingerprint);
  }

  /** Call `listener` after every replaceKeys; returns the unsubscribe. */
  onKeysChanged(listener: () => void): () => void {
    this.#changed.add(listener);
    return () => void this.#changed.delete(listener);
  }

  /** Read the Authorization header. Never throws; never returns the key itself. */
  check(authorization: string | undefined): AuthResult {
    if (authorization === undefined || authorization === '') return { kind: 'none' };
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (m === null) return { kind: 'invalid', reason: 'the Authorization header must be "Bearer <api key>"' };
    const presented = sha256(m[1]);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(d, presented) || ok;
    if (!ok && this.#digests.length === 0) {
      // Refused as any key that is not valid (docs/http-api.md: a key sent must be valid), but saying why:
      // until 7 Dec 2026 "the API key is not valid", as if another key would do.
      return { kind: 'invalid', reason: 'this server has no API keys configured, so no key is valid', hint: `send the request without an Authorization header (reads are open), or configure the key on the server (${API_KEYS_SETTING})` };
    }
    if (!ok) return { kind: 'invalid', reason: 'the API key is not valid' };
    return { kind: 'valid', fingerprint: presented.subarray(0, FINGERPRINT_BYTES).toString('hex') };
  }

  /**
   * Decide whether a request may proceed. Throws a 401 TickcastError with a message saying what
   * to do; returns the auth result otherwise.
   */
  authorize(authorization: string | undefined, mutating: boolean, crossSite = false): AuthResult {
    const r = this.check(authorization);
    if (r.kind === 'invalid') {
      throw httpError(ErrorCodes.HTTP_UNAUTHORIZED, 401, r.reason, {
        hint: r.hint ?? 'send "Authorization: Bearer <key>" with a key from the server configuration',
      });
    }
    if (r.kind === 'valid') return r;
    if (mutating) {
      if (this.#digests.length === 0 && this.#config.allowUnauthenticatedMutations) {
        if (!crossSite) return r;
        // A page on another site can send a POST without a body and without preflight (fetch no-cors):
        // the open door of allowUnauthenticatedMutations is for this machine's own clients only.
        throw httpError(ErrorCodes.HTTP_UNAUTHORIZED, 401, 'this route changes server state, and a browser request from another site (Origin) needs an API key even with http.allowUnauthenticatedMutations', {
          hint: `configure an API key (${API_KEYS_SETTING}) and send it as "Authorization: Bearer <key>", or call from the dashboard's own origin`,
        });
      }
      const message =
        this.#digests.length === 0
          ? 'this route changes server state and no API keys are configured, so it is disabled'
          : 'this route changes server state and needs an API key';
      const hint =
        this.#digests.length === 0
          ? `configure at least one API key (${API_KEYS_SETTING}) and send it as "Authorization: Bearer <key>"`
          : 'send "Authorization: Bearer <key>"';
      throw httpError(ErrorCodes.HTTP_UNAUTHORIZED, 401, message, { hint });
    }
    if (this.#config.requireAuthForReads) {
      throw httpError(ErrorCodes.HTTP_UNAUTHORIZED, 401, 'this server requires an API key for every route', {
        hint: 'send "Authorization: Bearer <key>"',
      });
    }
    return r;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Whether a browser sent this request from a page of another origin: Sec-Fetch-Site says so, or the
 * Origin header names another host than the request's Host ("null" included: sandboxed pages, files).
 * Clients that are not browsers send neither header: false.
 */
export function isCrossSiteBrowserRequest(headers: Record<string, string | string[] | undefined>): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}
