/**
 * Chaos 5: soak. CHAOS_SOAK_TICKS ticks (default 1,000,000) over CHAOS_SOAK_SERIES series (1,000),
 * a forecast for every tick once its window is full (CHAOS_SOAK_STRIDE, default 1). The producer
 * keeps at most CHAOS_SOAK_AHEAD ticks (50,000) ahead of the service, so the service runs flat out
 * in a steady state for the whole run.
 *
 * Sampled every CHAOS_SOAK_SAMPLE_MS (500 ms) from outside: RSS (VmRSS), V8 heap used/total and
 * external memory, and nodejs_eventloop_lag_p99_seconds (prom-client resets its histogram
 * on every scrape, so each sample is the p99 since the last). Warm-up is the first
 * CHAOS_SOAK_WARMUP (0.5) of the ticks: in a 2,000,000-tick run, RSS rose for the first ~400,000
 * ticks while V8 grew its heap (docs/reliability.md). The samples after warm-up are split in two
 * halves by progress; asserted: mean RSS of the second half < 1.05 × the first (RSS is a GC
 * sawtooth of ±90 MiB here, so means over many samples, not single readings), the live V8 heap
 * < 1.10 × (the heap each full collection leaves, from the service's --trace-gc lines, mean of each
 * half), and median event-loop lag p99 of the second half ≤ 1.5 × the first + 20 ms (the machine is shared). Every forecast is accounted for: the forecasts
 * topic ends with exactly one record per eligible tick.
 *
 * Tensor count: the serving engine is ONNX Runtime; tfjs holds only the model, and the process
 * exposes no tensor count — flat RSS, heap and external memory are the outside proof.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosEnv, machineLine, MiB, sleep, summary, topicRecords } from './helpers/env.ts';
import { GcTrace } from './helpers/gc-trace.ts';

const TICKS = Number(process.env.CHAOS_SOAK_TICKS ?? 1_000_000);
const SERIES = Number(process.env.CHAOS_SOAK_SERIES ?? 1_000);
const STRIDE = Number(process.env.CHAOS_SOAK_STRIDE ?? 1);
const WARMUP = Number(process.env.CHAOS_SOAK_WARMUP ?? 0.5);
const AHEAD = Number(process.env.CHAOS_SOAK_AHEAD ?? 50_000);
const SAMPLE_MS = Number(process.env.CHAOS_SOAK_SAMPLE_MS ?? 500);
const W = 16;

interface Sample {
  done: number;
  t: number;
  rss: number;
  lagP99: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

test(`soak: ${TICKS} ticks over ${SERIES} series (stride ${STRIDE}): RSS and heap growth < 5% after warm-up, event-loop lag flat, every forecast out`, { timeout: 3_600_000 }, async () => {
  assert.ok(TICKS % SERIES === 0, 'CHAOS_SOAK_TICKS must be a multiple of CHAOS_SOAK_SERIES');
  const perSeries = TICKS / SERIES;
  assert.ok(perSeries >= W + STRIDE * 5, `at least ${W + STRIDE * 5} ticks per series`);
  const env = await chaosEnv({ partitions: 6, collect: false });
  const started = Date.now();
  try {
    let done = 0;
    let running = true;
    // V8's own record of every full collection: the heap left after a mark-compact is the live set.
    const gc = new GcTrace(() => done);
    const svc = await env.service({
      nodeArgs: gc.nodeArgs,
      onLine: gc.onLine,
      env: {
        TICKCAST_WINDOWS_STRIDE: String(STRIDE),
        TICKCAST_WINDOWS_MAX_SERIES: String(Math.max(10_000, SERIES * 2)),
      },
    });
    const accepted = async () => (await svc.metric('tickcast_ticks_total')) || 0;
    const samples: Sample[] = [];
    const t0 = Date.now();
    const sampler = (async () => {
      while (running) {
        const m = await svc.metrics();
        let ticks = 0;
        for (const [k, v] of m) if (k.startsWith('tickcast_ticks_total{')) ticks += v;
        done = ticks;
        samples.push({ done, t: Date.now() - t0, rss: svc.rssBytes(), lagP99: m.get('nodejs_eventloop_lag_p99_seconds') ?? NaN, heapUsed: m.get('nodejs_heap_size_used_bytes') ?? NaN,
          heapTotal: m.get('nodejs_heap_size_total_bytes') ?? NaN,
          external: m.get('nodejs_external_memory_bytes') ?? NaN,
        });
        await sleep(SAMPLE_MS);
      }
    })();

    // Produce in time order (every series advances together), at most AHEAD ticks ahead.
    const tsBase = Date.UTC(2025, 0, 1);
    const CHUNK = 2_000;
    let produced = 0;
    let waitedMs = 0;
    while (produced < TICKS) {
      while (produced - done > AHEAD) {
        const w = Date.now();
        await sleep(50);
        waitedMs += Date.now() - w;
        if (!svc.alive()) throw new Error('service exited during the soak');
      }
      const messages: Array<{ key: string; value: string }> = [];
      for (let k = 0; k < CHUNK && produced < TICKS; k++, produced++) {
        const s = produced % SERIES;
        const t = Math.floor(produced / SERIES);
        messages.push({ key: `soak-${s}`, value: JSON.stringify({ series: `soak-${s}`, ts: tsBase + t * 60_000, value: 100 + (s % 50) + 8 * Math.sin((2 * Math.PI * t) / 96 + s) + ((t * 31 + s) % 17) / 17 }) });
      }
      await env.producer.send({ topic: env.topics.ticks, acks: -1, messages });
    }
    const producedAt = Date.now();
    while ((await accepted()) < TICKS) {
      assert.ok(svc.alive(), 'service alive');
      assert.ok(Date.now() - producedAt < 600_000, 'the service caught up within 10 min of the last tick');
      await sleep(500);
    }
    const elapsedS = (Date.now() - t0) / 1000;
    running = false;
    await sampler;
    // Model forecasts once the window is full, plus the cold-start baseline's (ticks 2…W−1, every STRIDE).
    const modelExpected = SERIES * (Math.floor((perSeries - W) / STRIDE) + 1);
    const expected = modelExpected + SERIES * (Math.floor((W - 3) / STRIDE) + 1);
    // Outputs are produced (acks=all) before offsets commit; wait for the last ones to land.
    let forecasts = 0;
    for (let i = 0; i < 100 && forecasts < expected; i++) {
      forecasts = await topicRecords(env.kafka, env.topics.forecasts);
      if (forecasts < expected) await sleep(200);
    }
    const forecastsMetric = await svc.metric('tickcast_forecasts_total');
    const exit = await svc.stop(60_000);

    // ---- figures ----
    const warm = samples.filter((x) => x.done >= WARMUP * TICKS);
    const half = Math.max(1, Math.floor(warm.length / 2));
    const early = warm.slice(0, half);
    const late = warm.slice(half);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rssEarly = mean(early.map((x) => x.rss));
    const rssLate = mean(late.map((x) => x.rss));
    const growth = rssLate / rssEarly - 1;
    const lagEarly = summary(early.map((x) => x.lagP99));
    const lagLate = summary(late.map((x) => x.lagP99));
    const heapEarly = mean(early.map((x) => x.heapUsed));
    const heapLate = mean(late.map((x) => x.heapUsed));
    // Live heap: what each of the main thread's full collections left, after warm-up, in two halves.
    const liveGcs = gc.fullCollections().filter((g) => g.at >= WARMUP * TICKS);
    const liveHalf = Math.floor(liveGcs.length / 2);
    const liveEarly = liveGcs.length >= 4 ? mean(liveGcs.slice(0, liveHalf).map((g) => g.after)) : NaN;
    const liveLate = liveGcs.length >= 4 ? mean(liveGcs.slice(liveHalf).map((g) => g.after)) : NaN;
    const heapTotalEarly = mean(early.map((x) => x.heapTotal));
    const heapTotalLate = mean(late.map((x) => x.heapTotal));
    const extEarly = mean(early.map((x) => x.external));
    const extLate = mean(late.map((x) => x.external));
    const rssAll = summary(samples.map((x) => x.rss));
    const floorEarly = Math.min(...early.map((x) => x.rss));
    const floorLate = Math.min(...late.map((x) => x.rss));
    console.log(
      `# soak: ${TICKS} ticks, ${SERIES} series, stride ${STRIDE}: ${elapsedS.toFixed(0)} s = ${Math.round(TICKS / elapsedS)} ticks/s end to end ` +
        `(producer waited ${(waitedMs / 1000).toFixed(0)} s for the service); forecasts ${forecasts} on the topic (expected ${expected}, metric ${forecastsMetric}); ` +
        `samples ${samples.length} (${warm.length} after a warm-up of ${WARMUP * 100}% of the ticks); RSS early ${MiB(rssEarly)} MiB → late ${MiB(rssLate)} MiB (${(growth * 100).toFixed(2)}%), ` +
        `floor (min) ${MiB(floorEarly)} → ${MiB(floorLate)} MiB, min ${MiB(rssAll.min)} / max ${MiB(rssAll.max)} MiB over the run; V8 heap used ${MiB(heapEarly)} → ${MiB(heapLate)} MiB, live after ${liveGcs.length} full collections ${liveEarly.toFixed(1)} → ${liveLate.toFixed(1)} MB, heap total ${MiB(heapTotalEarly)} → ${MiB(heapTotalLate)} MiB, external ${MiB(extEarly)} → ${MiB(extLate)} MiB; ` +
        `event-loop lag p99 early median ${(lagEarly.p50 * 1000).toFixed(1)} ms (max ${(lagEarly.max * 1000).toFixed(1)}) → late median ${(lagLate.p50 * 1000).toFixed(1)} ms (max ${(lagLate.max * 1000).toFixed(1)}); ` +
        `exit ${exit}; test ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`,
    );
    if (process.env.CHAOS_SOAK_SAMPLES) {
      console.log('# soak samples (done, t ms, rss MiB, lag p99 ms, heap used MiB, heap total MiB, external MiB):');
      for (const x of samples) console.log(`#  ${x.done} ${x.t} ${MiB(x.rss)} ${(x.lagP99 * 1000).toFixed(1)} ${MiB(x.heapUsed)} ${MiB(x.heapTotal)} ${MiB(x.external)}`);
      console.log('# full collections (isolate, ticks done, heap before → after MB):');
      for (const g of gc.all) console.log(`#  gc ${g.isolate} ${g.at} ${g.before} → ${g.after}`);
    }

    // ---- assertions ----
    assert.equal(exit, 0, 'clean exit after the soak');
    assert.equal(forecasts, expected, 'exactly one forecast per eligible tick on the topic (model + cold-start baseline)');
    assert.ok(warm.length >= 20, `enough samples after warm-up to judge (${warm.length}); raise CHAOS_SOAK_TICKS`);
    assert.ok(growth < 0.05, `RSS growth after warm-up ${(growth * 100).toFixed(2)}% < 5%`);
    // Heap in use is a GC sawtooth (~90 → ~340 MiB here): neither its half-means (+14.6% once on a
    // loaded machine, RSS flat) nor its lowest sampled reading (+12% once in CI: it depends on how
    // soon after a collection a sample lands) measure retention. The heap a full collection leaves
    // is the live set, so live objects piling up show there (85–98 MB, flat, in local runs).
    assert.ok(liveGcs.length >= 4, `at least 4 full collections after warm-up to judge the live heap (${liveGcs.length}); raise CHAOS_SOAK_TICKS`);
    assert.ok(liveLate / liveEarly - 1 < 0.1, `live V8 heap after full collections, after warm-up: ${liveEarly.toFixed(1)} → ${liveLate.toFixed(1)} MB (mean of each half): < 10% growth`);
    assert.ok(lagLate.p50 <= 1.5 * lagEarly.p50 + 0.02, `event-loop lag p99 not growing: early ${(lagEarly.p50 * 1000).toFixed(1)} ms, late ${(lagLate.p50 * 1000).toFixed(1)} ms`);
  } finally {
    await env.close();
  }
});
