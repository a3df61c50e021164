// What an entry of http.corsOrigins must be (src/adapters/http/cors.ts answers the origins listed).

/** Why `entry` is not an origin a config may list, or null when it is one (`scheme://host[:port]`, nothing else). */
export function corsOriginProblem(entry: string): string | null {
  if (entry === '*') return '"*" is not accepted: list each origin (any page could otherwise call /mcp, which the Origin check refuses)';
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not an origin (scheme://host[:port], e.g. https://console.example.com)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${entry}" is not an http(s) origin`;
  if (url.origin !== entry) return `"${entry}" is not written as an origin: use "${url.origin}" (no path, no trailing slash, default port left out, lower case)`;
  return null;
}
