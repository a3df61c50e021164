// Where the HTTP server listens: the configured host, with IPv4 as the fallback for `::`.
import type { Logger } from 'pino';

/** The part of a fastify instance used here. */
export interface Listener {
  listen(opts: { host: string; port: number }): Promise<string>;
}

/**
 * `::` (the default) takes IPv6 and, on Linux's default dual-stack sockets, IPv4 too — what an
 * IPv6-only Kubernetes cluster needs for its probes to reach the pod. A kernel with IPv6 turned off
 * refuses `::` (EAFNOSUPPORT / EADDRNOTAVAIL): the service then listens on `0.0.0.0`, as Node does
 * when no host is given. Any other host is used as configured.
 */
export async function listenDualStack(http: Listener, host: string, port: number, log: Pick<Logger, 'warn'>): Promise<string> {
  try {
    return await http.listen({ host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    log.warn({ code }, 'IPv6 is not available here: listening on 0.0.0.0 (IPv4) instead of ::');
    return http.listen({ host: '0.0.0.0', port });
  }
}
