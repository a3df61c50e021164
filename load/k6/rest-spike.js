// k6: sudden spike far above capacity, then back to normal — checks that the service sheds load
// cleanly (fast 503 + Retry-After, never a 5xx other than 503, no timeouts) and recovers.
//   k6 run -e BASE_URL=http://localhost:8080 -e BASE_RATE=50 -e SPIKE_RATE=2000 load/k6/rest-spike.js
// Environment: see rest-common.js, plus
//   BASE_RATE   requests/s before and after the spike   default 50
//   SPIKE_RATE  requests/s during the spike             default 2000
//   SPIKE_S     spike duration in seconds               default 30
// Fails when: any answer other than 200/429/503 or a 503/429 without Retry-After; a shed answer
// that is slow (p99 of 503s > 100 ms — shedding must be cheap); the recovery phase still sheds
// (> 1%) or has successful p99 > RECOVERY_P99_MS (default 300).
import { check } from 'k6';
import http from 'k6/http';
import { predict, BASE_URL } from './rest-common.js';

const BASE = Number(__ENV.BASE_RATE || 50);
const SPIKE = Number(__ENV.SPIKE_RATE || 2000);
const RECOVERY_P99 = Number(__ENV.RECOVERY_P99_MS || 300);
const SPIKE_S = Number(__ENV.SPIKE_S || 30);
// Timeline: 60 s base, 5 s up, SPIKE_S at the peak, 5 s down, 60 s base. Recovery is judged on
// the last 50 s, starting 10 s after the rate is back to normal.
const RECOVERY_START_S = 60 + 5 + SPIKE_S + 5 + 10;

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE,
      timeUnit: '1s',
      preAllocatedVUs: 200,
      maxVUs: 2000,
      stages: [
        { target: BASE, duration: '1m' },
        { target: SPIKE, duration: '5s' },
        { target: SPIKE, duration: `${SPIKE_S}s` },
        { target: BASE, duration: '5s' },
        { target: BASE, duration: '1m' },
      ],
      exec: 'spikeScenario',
    },
    // Runs only in the recovery minute, tagged so it gets its own thresholds.
    recovery: {
      executor: 'constant-arrival-rate',
      rate: 10,
      timeUnit: '1s',
      duration: '50s',
      startTime: `${RECOVERY_START_S}s`,
      preAllocatedVUs: 10,
      exec: 'recoveryScenario',
      tags: { phase: 'recovery' },
    },
  },
  thresholds: {
    tickcast_bad_answers: ['count==0'],
    'http_req_duration{name:POST /v1/predict,status:503}': ['p(99)<100'],
    'tickcast_shed{phase:recovery}': ['rate<0.01'],
    'http_req_duration{phase:recovery,expected_response:true}': [`p(99)<${RECOVERY_P99}`],
    'checks{phase:recovery}': ['rate>0.99'],
  },
};

export function spikeScenario() {
  predict();
}

export function recoveryScenario() {
  const res = predict();
  check(res, { 'recovered: 200': (r) => r.status === 200 });
  check(http.get(`${BASE_URL}/healthz`), { 'healthz 200 throughout': (r) => r.status === 200 });
}
