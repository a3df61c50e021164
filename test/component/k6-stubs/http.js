// Stand-in for k6's 'k6/http' in test/component/k6-rest.test.ts: each request is made for real by
// the test's main thread (the app under test) while this worker blocks, as k6 calls block.
const canonical = (name) => name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');

function response(r) {
  const headers = {};
  for (const [k, v] of Object.entries(r.headers)) headers[canonical(k)] = v;
  return {
    status: r.status,
    body: r.body,
    headers,
    /** k6's res.json(selector): a dotted path into the body (GJSON's simple case). */
    json(selector) {
      const doc = JSON.parse(r.body);
      return selector ? selector.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), doc) : doc;
    },
  };
}

function request(method, url, body, params) {
  return response(globalThis.__k6.request(method, url, body ?? null, params?.headers ?? {}));
}

export const get = (url, params) => request('GET', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const setResponseCallback = () => {};
export const expectedStatuses = (...statuses) => statuses;
export default { get, post, setResponseCallback, expectedStatuses };
