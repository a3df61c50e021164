// Where the HTTP server listens: the configured host, with IPv4 as the fallback for `::`.
import type { Logger } from 'pino';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';

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
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw listenProblem(err, host, port);
    log.warn({ code }, 'IPv6 is not available here: listening on 0.0.0.0 (IPv4) instead of ::');
    return http.listen({ host: '0.0.0.0', port }).catch((e: unknown) => Promise.reject(listenProblem(e, '0.0.0.0', port)));
  }
}

/**
 * A listen the configuration can fix (a port in use, a privileged port, a host that is not this
 * machine's) as TC_CONFIG_INVALID naming the key and its variable — main.ts exits 78 with it, as for
 * any configuration problem. Until 6 Dec 2026: "failed to start: Error: listen EADDRINUSE …" with
 * a stack trace, exit 1. Anything else is passed on as it came.
 */
function listenProblem(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const problem =
    code === 'EADDRINUSE'
      ? `http.port (TICKCAST_HTTP_PORT): port ${port} is already in use on ${host} (EADDRINUSE): stop what listens there, or choose another port (0: any free port)`
      : code === 'EACCES'
        ? `http.port (TICKCAST_HTTP_PORT): port ${port} on ${host} needs privileges this process lacks (EACCES): choose a port from 1024 up, or grant CAP_NET_BIND_SERVICE`
        : code === 'EADDRNOTAVAIL'
          ? `http.host (TICKCAST_HTTP_HOST): ${host} is not an address of this machine (EADDRNOTAVAIL): use one of its addresses, :: (every address) or 127.0.0.1`
          : null;
  if (problem === null) return err;
  return new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n  - ${problem}`, { cause: err, details: { problems: [problem], errno: code } });
}
