// k6 + xk6-kafka: produce ticks into tickcast's input topic at a target rate for N series.
//
// Needs a k6 binary built with the extension (https://github.com/mostafa/xk6-kafka):
//   xk6 build --with github.com/mostafa/xk6-kafka@latest
//   ./k6 run -e BROKERS=localhost:29092 -e RATE=2000 -e SERIES=500 -e DURATION=5m load/k6/kafka-ingest.js
// Against the compose stack (deploy/compose) the broker is localhost:29092. Watch the service side
// (consumer lag, tick→forecast p99, dead letters) in Grafana or with
//   curl -s localhost:8080/metrics | grep -E '^tickcast_(consumer_lag|paused|dlq_total)'
// k6 measures the producer only; the thresholds below fail the run when the broker cannot absorb
// the target rate (errors, dropped iterations, slow writes). The Node equivalent runnable without
// k6 is load/produce.ts (docs/deployment.md).
//
// Environment (all optional):
//   BROKERS        comma list                          default localhost:29092
//   TOPIC          input topic (topics.ticks)          default ticks
//   RATE           ticks per second, all series        default 1000
//   SERIES         distinct series ids                 default 200
//   DURATION       k6 duration                         default 2m
//   BATCH          ticks per produce() call            default 50
//   VUS            producer VUs (each owns SERIES/VUS series, so per-series timestamps stay ordered)
//                                                      default 4
//   FEATURE        "value" (univariate) or a feature name for {"values":{FEATURE:x}}   default value
//   ANOMALY_RATE   fraction of ticks replaced by a spike (exercises anomaly alerts)   default 0
//   INVALID_RATE   fraction of records that are invalid (exercises the dead-letter topic) default 0
//   P95_WRITE_MS   threshold for the producer's write p95 in ms                     default 100
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { Writer, SchemaRegistry, SCHEMA_TYPE_STRING, SCHEMA_TYPE_JSON, BALANCER_MURMUR2 } from 'k6/x/kafka';

const BROKERS = (__ENV.BROKERS || 'localhost:29092').split(',').map((s) => s.trim()).filter(Boolean);
const TOPIC = __ENV.TOPIC || 'ticks';
const RATE = Number(__ENV.RATE || 1000);
const SERIES = Number(__ENV.SERIES || 200);
const DURATION = __ENV.DURATION || '2m';
const BATCH = Number(__ENV.BATCH || 50);
const VUS = Number(__ENV.VUS || 4);
const FEATURE = __ENV.FEATURE || 'value';
const ANOMALY_RATE = Number(__ENV.ANOMALY_RATE || 0);
const INVALID_RATE = Number(__ENV.INVALID_RATE || 0);
const P95_WRITE_MS = Number(__ENV.P95_WRITE_MS || 100);

if (!(RATE > 0) || !(SERIES > 0) || !(BATCH > 0) || !(VUS > 0)) {
  throw new Error(`RATE, SERIES, BATCH and VUS must be positive numbers; got RATE=${RATE} SERIES=${SERIES} BATCH=${BATCH} VUS=${VUS}`);
}
if (SERIES < VUS) throw new Error(`SERIES (${SERIES}) must be at least VUS (${VUS}): each VU owns a disjoint set of series`);

/** k6 duration string ("90s", "5m", "1h30m") → seconds. */
function durationSeconds(d) {
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit];
  if (!(total > 0)) throw new Error(`DURATION must look like 90s, 5m or 1h30m; got "${d}"`);
  return total;
}
const ITERATIONS_PER_S = Math.max(1, Math.round(RATE / BATCH));
const EXPECTED_ITERATIONS = ITERATIONS_PER_S * durationSeconds(DURATION);

const ticksSent = new Counter('tickcast_ticks_sent');
const anomaliesInjected = new Counter('tickcast_anomalies_injected');
const invalidSent = new Counter('tickcast_invalid_sent');

export const options = {
  scenarios: {
    ingest: {
      executor: 'constant-arrival-rate',
      // One iteration produces BATCH ticks: RATE ticks/s = RATE/BATCH iterations/s.
      rate: ITERATIONS_PER_S,
      timeUnit: '1s',
      duration: DURATION,
      // Fixed VU pool: series ownership is by VU id, so VUs must not come and go.
      preAllocatedVUs: VUS,
      maxVUs: VUS,
    },
  },
  thresholds: {
    kafka_writer_error_count: ['count == 0'],
    kafka_writer_write_seconds: [`p(95) < ${P95_WRITE_MS / 1000}`],
    // The producer kept up with the target rate: under 1% of iterations dropped (k6 drops the
    // iterations it cannot start in time).
    dropped_iterations: [`count < ${Math.max(1, Math.ceil(EXPECTED_ITERATIONS * 0.01))}`],
    checks: ['rate == 1'],
  },
};

// Per-VU state (each VU has its own JS runtime): the series it owns and their last timestamps.
const writer = new Writer({ brokers: BROKERS, topic: TOPIC, balancer: BALANCER_MURMUR2, autoCreateTopic: false });
const serde = new SchemaRegistry();
const lastTs = {};
let cursor = 0;

function ownedSeries(vu) {
  const out = [];
  for (let s = vu - 1; s < SERIES; s += VUS) out.push(s);
  return out;
}

/** A smooth daily-ish pattern per series plus noise; spikes when ANOMALY_RATE says so. */
function valueFor(s, tsMs) {
  const phase = (s * 0.37) % (2 * Math.PI);
  const base = 100 + (s % 17) * 3;
  const v = base + 10 * Math.sin(tsMs / 60000 + phase) + (Math.random() - 0.5) * 2;
  if (ANOMALY_RATE > 0 && Math.random() < ANOMALY_RATE) {
    anomaliesInjected.add(1);
    return v + (Math.random() < 0.5 ? -1 : 1) * (40 + Math.random() * 40);
  }
  return v;
}

function record(id, tsMs, value) {
  if (INVALID_RATE > 0 && Math.random() < INVALID_RATE) {
    invalidSent.add(1);
    // Rotate through the kinds of bad input the service dead-letters with distinct codes.
    const bad = [{ series: id, ts: 'yesterday', value }, { series: id, ts: tsMs, value: 'NaN' }, { ts: tsMs }][Math.floor(Math.random() * 3)];
    return { series: id, body: bad };
  }
  const body = FEATURE === 'value' ? { series: id, ts: tsMs, value } : { series: id, ts: tsMs, values: { [FEATURE]: value } };
  return { series: id, body };
}

export default function () {
  const owned = ownedSeries(exec.vu.idInTest);
  const now = Date.now();
  const messages = [];
  for (let i = 0; i < BATCH; i++) {
    const s = owned[cursor++ % owned.length];
    const id = `series-${s}`;
    // Strictly increasing per series even within one millisecond (equal timestamps are dropped).
    const ts = Math.max(now, (lastTs[id] || 0) + 1);
    lastTs[id] = ts;
    const { body } = record(id, ts, valueFor(s, ts));
    messages.push({
      key: serde.serialize({ data: id, schemaType: SCHEMA_TYPE_STRING }),
      value: serde.serialize({ data: body, schemaType: SCHEMA_TYPE_JSON }),
    });
  }
  let ok = true;
  try {
    writer.produce({ messages });
  } catch (err) {
    ok = false;
    console.error(`produce failed: ${err}`);
  }
  check(ok, { 'batch produced': (v) => v === true });
  if (ok) ticksSent.add(messages.length);
}

export function teardown() {
  writer.close();
}
