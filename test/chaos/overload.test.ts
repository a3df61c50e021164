/**
 * Chaos 3: overload. The sustainable rate R is measured first in the same run (the service drains
 * a backlog; R = ticks / drain time), then ticks are offered at 3 × R for CHAOS_OVERLOAD_S (60 s).
 * Sampled from outside every 200 ms: RSS (/proc/<pid>/status VmRSS), tickcast_paused,
 * tickcast_inference_queue, consumer lag; and POST /v1/predict probes 4×/s. Expected: intake
 * pauses and resumes (the gauge goes 1 → 0), the queue stays bounded, RSS stays flat while the
 * lag grows, REST answers fast (503 + Retry-After or 200 — never a queued, slow answer), and the
 * process survives and still shuts down cleanly with a backlog.
 *
 * The high/low water marks are lowered (512/128) and 6 partitions are consumed concurrently so
 * that the inference queue can exceed the high-water mark at all: with the defaults (4096/1024,
 * 4 × 512-record chunks awaited) intake is already bounded by awaiting and the pause never fires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosEnv, machineLine, MiB, sleep, summary } from './helpers/env.ts';
import { GcTrace } from './helpers/gc-trace.ts';
import type { ServiceProcess } from './helpers/service.ts';
import { produce } from '../helpers/kafka.ts';

const OVERLOAD_S = Number(process.env.CHAOS_OVERLOAD_S ?? 60);
const FACTOR = 3;
const HWM = 512;
const LWM = 128;
const S = 200;

interface Sample {
  t: number;
  rss: number;
  paused: number;
  queue: number;
  lag: number;
  accepted: number;
}

async function sample(svc: ServiceProcess, t0: number): Promise<Sample> {
  const m = await svc.metrics();
  let lag = 0;
  for (const [k, v] of m) if (k.startsWith('tickcast_consumer_lag{')) lag += v;
  return {
    t: Date.now() - t0,
    rss: svc.rssBytes(),
    paused: m.get('tickcast_paused') ?? NaN,
    queue: m.get('tickcast_inference_queue') ?? NaN,
    lag,
    accepted: m.get('tickcast_ticks_total{result="accepted"}') ?? 0,
  };
}

test(`overload at ${FACTOR}× the sustainable rate for ${OVERLOAD_S} s: bounded memory, pause/resume, fast REST answers, no crash`, { timeout: 900_000 }, async () => {
  const env = await chaosEnv({ partitions: 6, collect: false });
  const started = Date.now();
  try {
    const t0Ts = Date.UTC(2025, 0, 1);
    let tick = 0; // global tick index: series = i % S, step = floor(i / S)
    const next = (n: number) => {
      const out: Array<{ key: string; value: string }> = [];
      for (let k = 0; k < n; k++, tick++) {
        const s = tick % S;
        const t = Math.floor(tick / S);
        out.push({ key: `ov${s}`, value: JSON.stringify({ series: `ov${s}`, ts: t0Ts + t * 1000, value: 100 + 10 * Math.sin(t / 7 + s) + (tick % 11) / 11 }) });
      }
      return out;
    };

    // 1. Sustainable rate: drain a backlog.
    const BACKLOG = Number(process.env.CHAOS_OVERLOAD_BACKLOG ?? 30_000);
    await produce(env.producer, env.topics.ticks, next(BACKLOG));
    // Full collections from the service's --trace-gc lines: `at` = ms into the overload (−1 before).
    let overloadT0 = -1;
    const gc = new GcTrace(() => (overloadT0 < 0 ? -1 : Date.now() - overloadT0));
    const svc = await env.service({
      nodeArgs: gc.nodeArgs,
      onLine: gc.onLine,
      env: {
        TICKCAST_BATCHING_HIGH_WATER_MARK: String(HWM),
        TICKCAST_BATCHING_LOW_WATER_MARK: String(LWM),
        TICKCAST_KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: '6',
      },
    });
    const drainStart = Date.now();
    const rssIdle = svc.rssBytes();
    let s = await sample(svc, drainStart);
    while (s.accepted < BACKLOG) {
      assert.ok(Date.now() - drainStart < 300_000, `backlog drained within 300 s (${s.accepted} of ${BACKLOG})`);
      await sleep(200);
      s = await sample(svc, drainStart);
    }
    const drainS = (Date.now() - drainStart) / 1000;
    const R = BACKLOG / drainS;
    const rssAfterDrain = svc.rssBytes();
    const offered = Math.round(FACTOR * R);

    // 2. Overload: offer 3 R for OVERLOAD_S, sampling and probing REST meanwhile.
    const samples: Sample[] = [];
    const probes: Array<{ status: number; ms: number; retryAfter: string | null }> = [];
    const window = Array.from({ length: 16 }, (_, i) => 100 + Math.sin(i / 3));
    let running = true;
    const t0 = Date.now();
    overloadT0 = t0;
    const sampler = (async () => {
      while (running) {
        samples.push(await sample(svc, t0));
        await sleep(200);
      }
    })();
    const prober = (async () => {
      while (running) {
        const a = performance.now();
        try {
          const r = await svc.fetch('/v1/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }), signal: AbortSignal.timeout(30_000) });
          await r.arrayBuffer();
          probes.push({ status: r.status, ms: performance.now() - a, retryAfter: r.headers.get('retry-after') });
        } catch {
          probes.push({ status: 0, ms: performance.now() - a, retryAfter: null });
        }
        await sleep(250);
      }
    })();
    // A plain (non-idempotent) producer with up to 4 sends in flight: the load generator must be
    // able to outpace the service on the same cores.
    const loadProducer = env.kafka.producer({ maxInFlightRequests: 4 });
    await loadProducer.connect();
    const inFlight = new Set<Promise<unknown>>();
    let sent = 0;
    const perSend = Math.max(1, Math.round(offered / 20));
    while (Date.now() - t0 < OVERLOAD_S * 1000) {
      const p = loadProducer.send({ topic: env.topics.ticks, acks: 1, messages: next(perSend) }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 4) await Promise.race(inFlight);
      sent += perSend;
      const wait = t0 + (sent / offered) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inFlight);
    await loadProducer.disconnect();
    const overloadS = (Date.now() - t0) / 1000;
    running = false;
    await Promise.all([sampler, prober]);
    const achieved = sent / overloadS;
    const accepted = samples[samples.length - 1].accepted - samples[0].accepted;
    const served = accepted / overloadS;

    // 3. Shut down with the backlog still there: clean exit, in time.
    const stopStart = Date.now();
    const alive = svc.alive();
    const exitCode = await svc.stop(40_000);
    const stopS = (Date.now() - stopStart) / 1000;

    // ---- figures ----
    const third = Math.floor(samples.length / 3);
    const rssEarly = Math.max(...samples.slice(0, third).map((x) => x.rss));
    const rssLate = Math.max(...samples.slice(-third).map((x) => x.rss));
    const rssMax = Math.max(...samples.map((x) => x.rss));
    // Live heap during the overload: what each full collection of the main thread left.
    const live = gc.fullCollections().filter((g) => g.at >= 0 && g.at <= overloadS * 1000);
    const liveThird = (k: number) => live.filter((g) => Math.floor((3 * g.at) / (overloadS * 1000)) === k).map((g) => g.after);
    const liveMax = live.length ? Math.max(...live.map((g) => g.after)) : NaN;
    const liveEarly = Math.max(...liveThird(0));
    const liveLate = Math.max(...liveThird(2));
    const lagStart = samples[0].lag;
    const lagEnd = samples[samples.length - 1].lag;
    const queue = summary(samples.map((x) => x.queue));
    let pauses = 0;
    let resumes = 0;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i - 1].paused === 0 && samples[i].paused === 1) pauses++;
      if (samples[i - 1].paused === 1 && samples[i].paused === 0) resumes++;
    }
    const pausedShare = samples.filter((x) => x.paused === 1).length / samples.length;
    const ok = probes.filter((p) => p.status === 200);
    const shed = probes.filter((p) => p.status === 503);
    const other = probes.filter((p) => p.status !== 200 && p.status !== 503);
    const lat = summary(probes.map((p) => p.ms));
    const shedLat = shed.length ? summary(shed.map((p) => p.ms)) : null;
    console.log(
      `# overload: sustainable R = ${Math.round(R)} ticks/s (${BACKLOG} backlog drained in ${drainS.toFixed(1)} s, stride 1, ${S} series); ` +
        `offered ${offered}/s (${FACTOR}×) for ${overloadS.toFixed(0)} s, achieved ${Math.round(achieved)}/s; service accepted ${Math.round(served)} ticks/s meanwhile; ` +
        `lag ${lagStart} → ${lagEnd}; inference queue p50 ${queue.p50} / max ${queue.max} (HWM ${HWM}, LWM ${LWM}); paused ${pauses}× / resumed ${resumes}×, paused ${(pausedShare * 100).toFixed(0)}% of samples; ` +
        `RSS idle ${MiB(rssIdle)} MiB, after drain ${MiB(rssAfterDrain)} MiB, first third max ${MiB(rssEarly)}, last third max ${MiB(rssLate)}, max ${MiB(rssMax)} MiB; ` +
        `live heap after ${live.length} full collections: first third max ${liveEarly} MB, last third max ${liveLate} MB, max ${liveMax} MB; ` +
        `REST probes ${probes.length}: ${ok.length}×200, ${shed.length}×503, ${other.length} other; latency p50 ${lat.p50?.toFixed(0)} / p99 ${lat.p99?.toFixed(0)} / max ${lat.max?.toFixed(0)} ms` +
        `${shedLat ? ` (503s: p50 ${shedLat.p50.toFixed(0)} / max ${shedLat.max.toFixed(0)} ms)` : ''}; ` +
        `SIGTERM with backlog → exit ${exitCode} in ${stopS.toFixed(1)} s; test ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`,
    );

    // ---- assertions ----
    assert.equal(alive, true, 'no crash during the overload');
    assert.equal(exitCode, 0, 'clean shutdown with a backlog');
    // Premise: the service fell behind. R is measured on a 30 k backlog drained in ~2–3 s, which
    // underestimates a warm service (it served 1.5–2.2 × R during the overload in runs of 2 Dec
    // 2026), so offered/served was 1.36–1.73 at 3 × R; the lag growth below is the direct evidence.
    assert.ok(achieved > 1.2 * served, `the service was overloaded: offered ${Math.round(achieved)}/s vs served ${Math.round(served)}/s`);
    assert.ok(lagEnd > lagStart + 5 * HWM, `a backlog built up in Kafka, not in the process (lag ${lagStart} → ${lagEnd})`);
    assert.ok(pauses >= 1 && resumes >= 1, `intake paused and resumed (tickcast_paused 0→1 ${pauses}×, 1→0 ${resumes}×)`);
    // Bounded queue: at most what the in-flight chunks can submit (6 partitions × 512-record chunks).
    assert.ok(queue.max <= 6 * 512 + 64, `inference queue bounded (max ${queue.max})`);
    // Bounded memory. The service runs with the heap limit the shipped image gives it in the Helm
    // chart's default container (test/chaos/helpers/service.ts). RSS: a ceiling over idle — +400 MiB,
    // as before 2 Dec 2026; it had been raised to +512 when the plateau without a heap limit reached
    // +395…+512 MiB (finding 8 in docs/reliability.md: V8's 4× heap growth on a 24 GiB machine, not
    // retention); with the deployed limit it is +158 MiB. An intake queue that did not stop would add
    // over 1 GiB in 60 s at 3 × R.
    assert.ok(rssMax <= rssIdle + 400 * 2 ** 20, `RSS bounded under overload: max ${MiB(rssMax)} MiB, idle ${MiB(rssIdle)} MiB`);
    // Live heap (what full collections leave): nothing piles up in the process while the lag grows
    // by ~1.7 M records (at most 96–100 MB on Node 20 and 84 MB on Node 24 here, thirds within 7 MB;
    // a queue holding even 10 % of that lag would add over 100 MB).
    assert.ok(live.length >= 6, `full collections during the overload to judge the live heap (${live.length})`);
    assert.ok(liveMax <= 192, `live heap bounded under overload: max ${liveMax} MB`);
    assert.ok(liveLate <= Math.max(liveEarly * 1.25, liveEarly + 32), `live heap flat under overload: first third max ${liveEarly} MB, last third max ${liveLate} MB`);
    if (OVERLOAD_S >= 60) {
      assert.ok(rssLate <= Math.max(rssEarly * 1.25, rssEarly + 64 * 2 ** 20), `RSS flat under overload: first third ${MiB(rssEarly)} MiB, last third ${MiB(rssLate)} MiB`);
    }
    // REST: every answer is 200 or 503 with Retry-After, none queued for seconds.
    assert.equal(other.length, 0, `only 200/503 answers (others: ${JSON.stringify(other.slice(0, 5))})`);
    for (const p of shed) assert.match(p.retryAfter ?? '', /^\d+$/, '503 carries Retry-After');
    assert.ok(lat.max < 5_000, `no REST answer waited in a queue for seconds (max ${lat.max.toFixed(0)} ms)`);
  } finally {
    await env.close();
  }
});
