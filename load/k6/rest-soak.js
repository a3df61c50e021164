// k6: steady load for a long time — catches leaks (memory, tensors, sockets, SSE listeners) and
// slow drifts that a short run hides. Watch process_resident_memory_bytes and
// tickcast_http_request_duration_seconds in /metrics while it runs.
//   k6 run -e BASE_URL=http://localhost:8080 -e RATE=50 -e DURATION=1h load/k6/rest-soak.js
// Environment: see rest-common.js, plus
//   RATE        requests/s                            default 50
//   DURATION    soak length                           default 30m
//   P99_MS      p99 threshold of successful answers   default 300
// Fails when: p99 > P99_MS or p99.9 > 4 × P99_MS over the whole run; any shedding or rate
// limiting at this modest rate (> 0.1%); any unexpected answer; resident memory at the end is more
// than 1.5 × what it was after the first minute (read from /metrics in setup/teardown).
import http from 'k6/http';
import { check, sleep } from 'k6';
import { predict, browse, BASE_URL, headers } from './rest-common.js';

const RATE = Number(__ENV.RATE || 50);
const P99 = Number(__ENV.P99_MS || 300);
const DURATION = __ENV.DURATION || '30m';

export const options = {
  scenarios: {
    predict: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: 20, maxVUs: 200, exec: 'predictScenario' },
    browse: { executor: 'constant-vus', vus: 1, duration: DURATION, exec: 'browseScenario' },
  },
  thresholds: {
    'http_req_duration{name:POST /v1/predict,expected_response:true}': [`p(99)<${P99}`, `p(99.9)<${4 * P99}`],
    tickcast_shed: ['rate<0.001'],
    tickcast_rate_limited: ['rate<0.001'],
    tickcast_bad_answers: ['count==0'],
    http_req_failed: ['rate<0.001'],
  },
};

function residentBytes() {
  const res = http.get(`${BASE_URL}/metrics`, { headers, tags: { name: 'GET /metrics' } });
  const m = /^process_resident_memory_bytes (\S+)$/m.exec(res.body || '');
  return m ? Number(m[1]) : null;
}

export function setup() {
  // Let the service warm up under load for a minute before taking the memory baseline.
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    predict();
    sleep(0.05);
  }
  return { rssStart: residentBytes() };
}

export function predictScenario() {
  predict();
}

export function browseScenario() {
  browse();
  sleep(1);
}

export function teardown(data) {
  const rssEnd = residentBytes();
  if (data.rssStart && rssEnd) {
    const ok = check({ rssStart: data.rssStart, rssEnd }, { 'resident memory grew < 50%': (d) => d.rssEnd < 1.5 * d.rssStart });
    console.log(`resident memory: ${(data.rssStart / 2 ** 20).toFixed(0)} MiB after warm-up → ${(rssEnd / 2 ** 20).toFixed(0)} MiB at the end${ok ? '' : ' (LEAK?)'}`);
    if (!ok) throw new Error('resident memory grew by more than 50% during the soak');
  }
}
