// Shared parts of the REST k6 scenarios (rest-ramp.js, rest-spike.js, rest-soak.js).
//
// Environment (all optional):
//   BASE_URL   service base URL                       default http://localhost:8080
//   API_KEY    bearer key (needed when the server requires auth for reads)
//   WINDOW     values per request window (GET /v1/model → spec.window)   default 64
//   FEATURES   features per time step (1 → number[], >1 → number[][])   default 1
//   SERIES     also forecast from this server-held series id (every 10th request)
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/$/, '');
const API_KEY = __ENV.API_KEY || '';
const WINDOW = Number(__ENV.WINDOW || 64);
const FEATURES = Number(__ENV.FEATURES || 1);
const SERIES = __ENV.SERIES || '';

export const shed = new Rate('tickcast_shed'); // 503 (load shedding / draining)
export const limited = new Rate('tickcast_rate_limited'); // 429
export const badAnswers = new Counter('tickcast_bad_answers'); // anything not 200/429/503, or a 200 without a forecast

export const headers = Object.assign({ 'Content-Type': 'application/json' }, API_KEY ? { Authorization: `Bearer ${API_KEY}` } : {});

function randomWindow() {
  let v = 100 + Math.random() * 10;
  const out = [];
  for (let i = 0; i < WINDOW; i++) {
    v += (Math.random() - 0.5) * 0.8;
    if (FEATURES === 1) out.push(Number(v.toFixed(4)));
    else {
      const row = [];
      for (let f = 0; f < FEATURES; f++) row.push(Number((v + f).toFixed(4)));
      out.push(row);
    }
  }
  return out;
}

/** One POST /v1/predict; classifies the answer. Shedding (503) and 429 must carry Retry-After. */
export function predict() {
  const body = SERIES && Math.random() < 0.1 ? { series: SERIES } : { window: randomWindow() };
  const res = http.post(`${BASE_URL}/v1/predict`, JSON.stringify(body), { headers, tags: { name: 'POST /v1/predict' } });
  shed.add(res.status === 503);
  limited.add(res.status === 429);
  const ok = check(res, {
    'status is 200, 429 or 503': (r) => r.status === 200 || r.status === 429 || r.status === 503,
    '200 has a forecast': (r) => r.status !== 200 || (Array.isArray(r.json('horizon')) && r.json('horizon').length > 0 && typeof r.json('model') === 'string'),
    '429/503 have Retry-After and an error code': (r) =>
      (r.status !== 429 && r.status !== 503) || (Number(r.headers['Retry-After']) >= 1 && /^TC_/.test(String(r.json('error.code')))),
  });
  if (!ok) badAnswers.add(1);
  return res;
}

/** Light read traffic next to predictions, like a dashboard would make. */
export function browse() {
  const list = http.get(`${BASE_URL}/v1/series?limit=20`, { headers, tags: { name: 'GET /v1/series' } });
  check(list, { 'series list 200': (r) => r.status === 200 || r.status === 429 || r.status === 503 });
  const ready = http.get(`${BASE_URL}/readyz`, { tags: { name: 'GET /readyz' } });
  check(ready, { 'readyz answers': (r) => r.status === 200 || r.status === 503 });
}

// 200 is success; 429 and 503 are the server protecting itself as designed (counted by the
// tickcast_shed / tickcast_rate_limited rates and bounded by thresholds), not transport failures.
http.setResponseCallback(http.expectedStatuses(200, 429, 503));
