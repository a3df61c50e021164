/**
 * Kafka ingest load: produce ticks for S series at a target rate, and (optionally) read the
 * forecasts topic to report consumer lag and tick→forecast latency percentiles.
 *
 *   node --import tsx load/produce.ts --brokers 127.0.0.1:9092 --topic ticks --series 200 \
 *        --rate 2000 --duration 60 [--forecasts forecasts] [--file data.csv]
 *   npm run load:ingest -- ...        (same)
 *
 * --brokers defaults to KAFKA_BROKERS, else the address of the local broker that
 * `npm run kafka:start` runs (it writes it to .cache/broker.bootstrap), else 127.0.0.1:9092.
 * It starts no broker and no tickcast of its own: run those first (`npm run kafka:start`, then
 * `KAFKA_BROKERS="$(cat .cache/broker.bootstrap)" npm start`).
 *
 * --duration 0 runs until SIGINT/SIGTERM (the compose stack's replay container). Every second it
 * prints the achieved rate; at the end, totals and (with --forecasts) latency p50/p90/p99/max and
 * the final lag (ticks produced − forecasts seen, after stride and window warm-up).
 * Only production dependencies are used (kafkajs), so it runs in the `replay` image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import '../test/helpers/kafkajs-idle.ts'; // kafkajs' idle 1 ms timer loop per connection (CPU the load generator takes from the service) and Node 24 TimeoutNegativeWarning

const localBroker = new URL('../.cache/broker.bootstrap', import.meta.url);
const defaultBrokers = process.env.KAFKA_BROKERS ?? (existsSync(localBroker) ? readFileSync(localBroker, 'utf8').trim() : '127.0.0.1:9092');
const { values: a } = parseArgs({
  options: {
    brokers: { type: 'string', default: defaultBrokers },
    topic: { type: 'string', default: 'ticks' },
    series: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '30' },
    forecasts: { type: 'string' },
    file: { type: 'string' },
    prefix: { type: 'string', default: 'load' },
  },
});
const S = Number(a.series);
const RATE = Number(a.rate);
const DURATION_S = Number(a.duration);
if (!(S > 0 && RATE > 0 && DURATION_S >= 0)) {
  console.error('produce: --series and --rate must be > 0, --duration ≥ 0 (0 = until stopped)');
  process.exit(2);
}

// Values: a CSV's `value` column (looped, phase-shifted per series) or a noisy daily sine.
let csv: number[] | null = null;
if (a.file) csv = readFileSync(a.file, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',').at(-1)));
const valueAt = (s: number, t: number) =>
  csv ? csv[(t + s * 97) % csv.length] * (1 + s / S) : 100 + 10 * (s % 7) + 20 * Math.sin((2 * Math.PI * t) / 288 + s) + Math.sin(t * 12.9898 + s) * 2;

const kafka = new Kafka({ clientId: 'tickcast-load', brokers: a.brokers!.split(','), logLevel: logLevel.WARN });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const latencies: number[] = [];
let forecastsSeen = 0;
async function watchForecasts(topic: string) {
  const consumer = kafka.consumer({ groupId: `${a.prefix}-watch-${process.pid}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      forecastsSeen++;
      try {
        const f = JSON.parse(String(message.value));
        if (typeof f.latencyMs === 'number') latencies.push(f.latencyMs);
      } catch {
        // not ours
      }
    },
  });
  return consumer;
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

async function main() {
  await producer.connect();
  const watcher = a.forecasts ? await watchForecasts(a.forecasts) : null;
  const t0 = Date.now();
  const tick0 = Date.UTC(2025, 0, 1);
  let sent = 0;
  let lastReport = t0;
  let sentAtReport = 0;
  const perSend = Math.max(1, Math.round(RATE / 50)); // 50 sends per second
  for (let i = 0; !stop.signal.aborted; ) {
    const elapsed = (Date.now() - t0) / 1000;
    if (DURATION_S > 0 && elapsed >= DURATION_S) break;
    const messages = [];
    for (let k = 0; k < perSend; k++, i++) {
      const s = i % S;
      const t = Math.floor(i / S);
      const id = `${a.prefix}-${s}`;
      messages.push({ key: id, value: JSON.stringify({ series: id, ts: tick0 + t * 60_000, value: valueAt(s, t) }) });
    }
    await producer.send({ topic: a.topic!, acks: -1, messages });
    sent += messages.length;
    const due = t0 + (sent / RATE) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (Date.now() - lastReport >= 1000) {
      const rate = ((sent - sentAtReport) * 1000) / (Date.now() - lastReport);
      console.log(`t=${Math.round((Date.now() - t0) / 1000)}s sent=${sent} rate=${Math.round(rate)}/s${watcher ? ` forecasts=${forecastsSeen} p99=${pct(latencies.slice(-5000), 99)}ms` : ''}`);
      lastReport = Date.now();
      sentAtReport = sent;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  await producer.disconnect();
  if (watcher) {
    await new Promise((r) => setTimeout(r, 2000)); // let the tail arrive
    await watcher.disconnect();
  }
  console.log(`done: ${sent} ticks in ${seconds.toFixed(1)} s = ${Math.round(sent / seconds)} ticks/s offered at ${RATE}/s target`);
  if (watcher) {
    console.log(`forecasts: ${forecastsSeen} seen; lag (ticks − forecasts) ${sent - forecastsSeen}; tick→forecast p50 ${pct(latencies, 50)} ms, p90 ${pct(latencies, 90)} ms, p99 ${pct(latencies, 99)} ms, max ${latencies.length ? Math.max(...latencies) : NaN} ms`);
  }
}

main().catch((err) => {
  if (err?.name === 'KafkaJSNumberOfRetriesExceeded' || err?.name === 'KafkaJSConnectionError') {
    console.error(`produce: cannot reach the brokers at ${a.brokers} (${err.message}); start the local broker (npm run kafka:start) or pass --brokers host:port`);
  } else console.error(err);
  process.exit(1);
});
