/**
 * DNS rebinding guard (opt-in, `http.allowedHosts`): a web page on a name the attacker controls
 * can re-point that name at a tickcast it reaches (localhost, an internal address) and read its API
 * from the victim's browser, same-origin as far as the browser knows; the `Host` header still
 * names the attacker's domain. With a list configured, a request to a non-open route whose Host is
 * neither listed nor an IP literal / localhost (or a subdomain of it, `app.localhost`) is refused. IP literals cannot be rebound, and
 * Kubernetes probes and in-cluster callers by IP keep working. Empty list: every Host (default).
 * The same rule as the allowed-hosts settings of webpack-dev-server and Vite.
 */
import { isIP } from 'node:net';
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';

/** The host name of a Host header value, lower case, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** `.example.com` allows example.com and every subdomain; other entries match exactly. */
export function hostAllowed(allowed: readonly string[], header: string | undefined): boolean {
  if (allowed.length === 0) return true;
  const name = hostName(header).replace(/\.$/, '');
  if (name === '') return false;
  // localhost and its subdomains (RFC 6761 §6.3: browsers resolve them to the loopback address, never through DNS).
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((a) => {
    const e = a.toLowerCase();
    return e.startsWith('.') ? name === e.slice(1) || name.endsWith(e) : name === e;
  });
}

/** Throw 403 TC_HTTP_HOST_NOT_ALLOWED unless `hostAllowed`. */
export function checkHost(allowed: readonly string[], header: string | undefined): void {
  if (hostAllowed(allowed, header)) return;
  throw httpError(ErrorCodes.HTTP_HOST_NOT_ALLOWED, 403, `the Host header names "${hostName(header).slice(0, 100)}", which is not in http.allowedHosts`, {
    hint: 'call the service by a listed name or by IP address; to serve this name, add it to http.allowedHosts (TICKCAST_HTTP_ALLOWED_HOSTS)',
  });
}
