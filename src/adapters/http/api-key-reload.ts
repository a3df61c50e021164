/**
 * The API keys file read again while the service runs (docs/http-api.md, "Key rotation and revocation"). The
 * kubelet rewrites a mounted Secret in place when the Secret changes; reading it every
 * `http.apiKeysReloadMs` lets an operator add, rotate and revoke keys without restarting pods.
 *
 * The file is parsed and checked as the config loader does at start (trimmed, comma-separated,
 * config.ts apiKeyProblems). A new set that passes replaces the old one at once (ApiKeyAuth tells
 * its listeners: live event streams opened with a removed key end); one that does not — or a file
 * that cannot be read — is logged once per distinct content or error (TC_HTTP_API_KEYS_REJECTED)
 * and the keys in force stay: a half-written or emptied Secret never locks every client out.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { parseList } from '../../config/load.ts';
import { ErrorCodes } from '../../errors/index.ts';
import type { ApiKeyAuth } from './auth.ts';
import { apiKeyProblems, type HttpConfig } from './config.ts';

export interface ApiKeyReloadOptions {
  file: string;
  intervalMs: number;
  requireAuthForReads: boolean;
  auth: ApiKeyAuth;
  logger: Logger;
  /** Counts each change of the file seen, by result. */
  reloads: Counter<'result'>;
}

/**
 * The reload when the keys came from a file and `apiKeysReloadMs` > 0 (started when the server is
 * ready, stopped when it closes), counting into `reloads`. Returns the reload, or null.
 */
export function installApiKeyReload(
  app: FastifyInstance,
  d: { config: Pick<HttpConfig, 'apiKeys' | 'apiKeysFile' | 'apiKeysReloadMs' | 'requireAuthForReads'>; auth: ApiKeyAuth; logger: Logger; reloads: Counter<'result'> },
): ApiKeyFileReload | null {
  const reloads = d.reloads;
  const c = d.config;
  if (c.apiKeysFile === '' || c.apiKeysReloadMs <= 0) return null;
  const reload = new ApiKeyFileReload({ file: c.apiKeysFile, intervalMs: c.apiKeysReloadMs, requireAuthForReads: c.requireAuthForReads, auth: d.auth, logger: d.logger, reloads }, c.apiKeys);
  app.addHook('onReady', async () => reload.start());
  app.addHook('onClose', async () => reload.stop());
  return reload;
}

export type ReloadOutcome = 'applied' | 'unchanged' | 'rejected';

export class ApiKeyFileReload {
  readonly #o: ApiKeyReloadOptions;
  /** Digest of the content (or error) last seen, so each change is acted on and logged once. */
  #seen: string;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<ReloadOutcome> | null = null;

  /** `startKeys`: the keys the service started with (the loader read them from the same file). */
  constructor(o: ApiKeyReloadOptions, startKeys: readonly string[]) {
    this.#o = o;
    this.#seen = digest(`keys:${startKeys.join(',')}`);
  }

  start(): void {
    if (this.#o.intervalMs <= 0 || this.#timer !== null) return;
    this.#timer = setInterval(() => void this.reload(), this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Read the file now (one read at a time) and apply it if it changed and passes. */
  reload(): Promise<ReloadOutcome> {
    this.#inFlight ??= this.#read().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #read(): Promise<ReloadOutcome> {
    const log = this.#o.logger;
    let text: string;
    try {
      text = (await readFile(this.#o.file, 'utf8')).trim();
    } catch (err) {
      const reason = `cannot read ${this.#o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      return this.#reject(digest(`error:${reason}`), [reason]);
    }
    const keys = parseList(text);
    const seen = digest(`keys:${keys.join(',')}`);
    if (seen === this.#seen) return 'unchanged';
    const problems = apiKeyProblems(keys, this.#o.requireAuthForReads);
    if (problems.length > 0) return this.#reject(seen, problems);
    const before = this.#o.auth.size;
    this.#seen = seen;
    this.#o.auth.replaceKeys(keys);
    this.#o.reloads.inc({ result: 'applied' });
    log.info({ file: this.#o.file, keys: keys.length, before }, 'API keys reloaded: the new set applies from now on');
    return 'applied';
  }

  #reject(seen: string, problems: string[]): ReloadOutcome {
    if (seen === this.#seen) return 'unchanged';
    this.#seen = seen;
    this.#o.reloads.inc({ result: 'rejected' });
    this.#o.logger.error({ code: ErrorCodes.HTTP_API_KEYS_REJECTED, file: this.#o.file, problems, keysInForce: this.#o.auth.size }, 'API keys file rejected; the keys in force stay');
    return 'rejected';
  }
}

function digest(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
