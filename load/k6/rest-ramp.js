// k6: ramp POST /v1/predict up to a target arrival rate and hold it — finds where latency bends.
//   k6 run -e BASE_URL=http://localhost:8080 -e RATE=200 load/k6/rest-ramp.js
// Environment: see rest-common.js, plus
//   RATE        requests/s at the top of the ramp      default 200
//   RAMP        ramp duration                          default 2m
//   HOLD        hold duration at RATE                  default 3m
//   P99_MS      p99 latency threshold of 200 answers   default 250
// Fails when: p99 of successful predictions > P99_MS, p95 > P99_MS/2, more than 1% shed (503) or
// rate limited (429) — at a rate the service is sized for, it should not need to protect itself —
// any unexpected answer, or more than 1% of iterations dropped (the service could not keep up).
import { predict, browse } from './rest-common.js';

const RATE = Number(__ENV.RATE || 200);
const P99 = Number(__ENV.P99_MS || 250);

export const options = {
  scenarios: {
    predict: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 400,
      stages: [
        { target: RATE, duration: __ENV.RAMP || '2m' },
        { target: RATE, duration: __ENV.HOLD || '3m' },
        { target: 0, duration: '15s' },
      ],
      exec: 'predictScenario',
    },
    browse: { executor: 'constant-vus', vus: 2, duration: '5m15s', exec: 'browseScenario' },
  },
  thresholds: {
    'http_req_duration{name:POST /v1/predict,expected_response:true}': [`p(99)<${P99}`, `p(95)<${P99 / 2}`],
    http_req_failed: ['rate<0.01'],
    tickcast_shed: ['rate<0.01'],
    tickcast_rate_limited: ['rate<0.01'],
    tickcast_bad_answers: ['count==0'],
    dropped_iterations: [`count<${Math.ceil(RATE * 300 * 0.01)}`],
    checks: ['rate>0.99'],
  },
};

export function predictScenario() {
  predict();
}

export function browseScenario() {
  browse();
}
