/**
 * Bookkeeping for the crash-delivery chaos test (test/chaos/crash-delivery.test.ts): a seeded tick
 * stream with spikes and a few malformed records, a paced producer, a watcher that samples the
 * service group's committed offsets together with the output topics' high watermarks, and the
 * checks run on what an independent consumer read from the topics afterwards.
 */
import type { Admin, Producer } from 'kafkajs';
import type { Collected } from '../../helpers/kafka.ts';
import { isCold } from '../../helpers/forecasts.ts';

/** A small seeded PRNG (mulberry32, the model's own), so a run is reproducible from its seed. */
export { mulberry32 as seeded } from '../../../src/model/random.ts';

export const T0 = Date.UTC(2025, 0, 1);
export const STEP_MS = 60_000;
export type Rec = { key: string | null; value: string | Buffer };

/**
 * `hosts` × 2 series (`h<i>:cpu`, `h<i>:mem`, so incidents group them by prefix) × `n` ticks, one
 * record per series per tick time, in time order. Past `spikeFrom` each host gets a seeded spike on
 * both series (ticks t and t+1) every ~40 ticks, so alerts fire, resolve and form incidents. Every
 * `badEvery` tick times a malformed record follows (for the DLQ).
 */
export function crashStream(rand: () => number, hosts: number, n: number, spikeFrom: number, badEvery: number): Rec[][] {
  const spikes = new Set<string>();
  for (let h = 0; h < hosts; h++) {
    for (let t = spikeFrom + Math.floor(rand() * 20); t < n - 4; t += 36 + Math.floor(rand() * 12)) {
      spikes.add(`h${h}:cpu@${t}`);
      spikes.add(`h${h}:mem@${t + 1}`);
    }
  }
  const steps: Rec[][] = [];
  for (let t = 0; t < n; t++) {
    const step: Rec[] = [];
    for (let h = 0; h < hosts; h++) {
      for (const [k, f] of [['cpu', 0], ['mem', 1]] as const) {
        const id = `h${h}:${k}`;
        let v = 50 + 10 * h + 10 * Math.sin((2 * Math.PI * t) / 48 + f + h) + Math.sin(t * 12.9898 + h * 78.233 + f) * 0.5;
        if (spikes.has(`${id}@${t}`)) v += 80;
        step.push({ key: id, value: JSON.stringify({ series: id, ts: T0 + t * STEP_MS, value: v }) });
      }
    }
    if (t % badEvery === badEvery - 1) step.push({ key: `h0:cpu`, value: Buffer.from(`{not json ${t}`) });
    steps.push(step);
  }
  return steps;
}

/** Sends one step every `intervalMs` (acks=all), independent of the service's state. */
export function trickle(producer: Producer, topic: string, steps: Rec[][], intervalMs: number) {
  const state = { sentSteps: 0 };
  const done = (async () => {
    for (const step of steps) {
      const t = Date.now();
      await producer.send({ topic, acks: -1, messages: step });
      state.sentSteps += 1;
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t))));
    }
  })();
  return { state, done };
}

export interface CommitSample {
  /** input partition → committed offset (next to read); -1 when none. */
  committed: Map<number, number>;
  /** output topic → partition → high watermark, read after `committed`. */
  highs: Map<string, Map<number, number>>;
}

/** Samples the group's committed offsets, then the output topics' high watermarks, every `everyMs`. */
export function watchCommits(admin: Admin, groupId: string, input: string, outputs: string[], everyMs = 150) {
  const samples: CommitSample[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      try {
        const [t] = await admin.fetchOffsets({ groupId, topics: [input] });
        const committed = new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        const highs = new Map<string, Map<number, number>>();
        for (const o of outputs) highs.set(o, new Map((await admin.fetchTopicOffsets(o)).map((p) => [p.partition, Number(p.high)])));
        samples.push({ committed, highs });
      } catch {
        // a sample lost to a transient admin error: the next one counts
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

type Where = Array<{ partition: number; offset: number }>;
const push = (m: Map<string, Where>, k: string, w: { partition: number; offset: number }) => {
  const a = m.get(k);
  if (a) a.push(w);
  else m.set(k, [w]);
};

/** What the independent consumer read: inputs by (series, ts) and by source offset, outputs by key. */
export function readTopics(items: { ticks: Collected[]; forecasts: Collected[]; dlq: Collected[] }, window: number) {
  const inputs = new Map<string, { partition: number; offset: number; eligible: boolean }>();
  const bad = new Map<string, { partition: number; offset: number }>();
  for (const r of items.ticks) {
    const where = { partition: r.partition, offset: Number(r.offset) };
    let tick: { series: string; ts: number } | null = null;
    try {
      tick = JSON.parse(String(r.value)) as { series: string; ts: number };
    } catch {
      bad.set(`${r.partition}@${r.offset}`, where);
      continue;
    }
    inputs.set(`${tick.series}@${tick.ts}`, { ...where, eligible: (tick.ts - T0) / STEP_MS >= window - 1 });
  }
  const forecasts = new Map<string, Where>();
  const cold: string[] = [];
  let total = 0;
  for (const r of items.forecasts) {
    const f = JSON.parse(String(r.value)) as { series: string; ts: number; model: string; replaces?: string };
    const key = `${f.series}@${f.ts}`;
    if (isCold(f)) cold.push(key);
    else {
      total += 1;
      push(forecasts, key, { partition: r.partition, offset: Number(r.offset) });
    }
  }
  const dead = new Map<string, Where>();
  for (const r of items.dlq) push(dead, `${r.headers['tickcast-source-partition']}@${r.headers['tickcast-source-offset']}`, { partition: r.partition, offset: Number(r.offset) });
  return { inputs, bad, forecasts, cold, total, dead };
}

export type Topics = ReturnType<typeof readTopics>;

/** Every violation of at-least-once / no-phantom / commit-after-output, as readable lines. */
export function deliveryViolations(t: Topics, samples: CommitSample[], names: { forecasts: string; dlq: string }): string[] {
  const out: string[] = [];
  for (const [k, i] of t.inputs) if (i.eligible && !t.forecasts.has(k)) out.push(`no forecast for eligible tick ${k} (p${i.partition}@${i.offset})`);
  for (const k of t.forecasts.keys()) if (!t.inputs.has(k)) out.push(`forecast for a tick never produced: ${k}`);
  for (const k of t.cold) {
    const i = t.inputs.get(k);
    if (!i) out.push(`baseline forecast for a tick never produced: ${k}`);
    else if (i.eligible) out.push(`cold baseline forecast for ${k}: its window was full (series state lost)`);
  }
  for (const k of t.bad.keys()) if (!t.dead.has(k)) out.push(`malformed record ${k} never dead-lettered`);
  for (const k of t.dead.keys()) if (!t.bad.has(k)) out.push(`dead letter for ${k}, not a malformed record`);
  const before = (ws: Where | undefined, highs: Map<number, number> | undefined) => (ws ?? []).some((w) => w.offset < (highs?.get(w.partition) ?? -1));
  const byOffset = new Map<string, string>();
  for (const [k, i] of t.inputs) if (i.eligible) byOffset.set(`${i.partition}@${i.offset}`, k);
  const seen = new Set<string>();
  for (const s of samples) {
    for (const [p, c] of s.committed) {
      for (let o = 0; o < c; o++) {
        const id = `${p}@${o}`;
        const k = byOffset.get(id);
        const ok = k ? before(t.forecasts.get(k), s.highs.get(names.forecasts)) : t.bad.has(id) ? before(t.dead.get(id), s.highs.get(names.dlq)) : true;
        if (!ok && !seen.has(id)) {
          seen.add(id);
          out.push(`offset ${id} committed (committed ${c}) before its output was on the topic`);
        }
      }
    }
  }
  return out;
}

interface AlertRec {
  kind?: 'alert';
  id: string;
  series: string;
  feature: string;
  ts: number;
  state: string;
  severity: string;
  reason?: string;
}
interface IncidentRec {
  kind: 'incident';
  id: string;
  group: string;
  state: string;
  firstTs: number;
  lastTs: number;
}

/** Alerts and incidents read back from the anomalies topic: consistency violations and figures. */
export function alertViolations(records: Collected[]) {
  const parsed = records.map((r) => JSON.parse(String(r.value)) as AlertRec | IncidentRec);
  const alerts = new Map<string, AlertRec>();
  for (const a of parsed) if (a.kind !== 'incident' && !alerts.has(a.id)) alerts.set(a.id, a as AlertRec);
  const out: string[] = [];
  const by = new Map<string, AlertRec[]>();
  for (const a of alerts.values()) {
    if (a.reason) out.push(`alert ${a.id} (${a.series}/${a.feature}) resolved with reason "${a.reason}" though nothing was evicted or reconfigured`);
    const k = `${a.series}/${a.feature}`;
    by.set(k, [...(by.get(k) ?? []), a]);
  }
  const rank = (s: string) => (s === 'critical' ? 2 : 1);
  for (const [k, list] of by) {
    list.sort((x, y) => x.ts - y.ts || (x.state === y.state ? 0 : x.state === 'firing' ? -1 : 1));
    let open: AlertRec | null = null;
    for (const a of list) {
      if (a.state === 'resolved') {
        if (!open) out.push(`${k}: resolved at ts ${a.ts} (${a.id}) without a firing before it`);
        open = null;
      } else if (open && rank(a.severity) <= rank(open.severity)) out.push(`${k}: a second ${a.severity} firing at ts ${a.ts} (${a.id}) while ${open.id} (ts ${open.ts}) was open`);
      else open = a;
    }
  }
  const incidents = new Map<string, { group: string; firstTs: number; lastTs: number; closed: boolean }>();
  for (const r of parsed) {
    if (r.kind !== 'incident') continue;
    const i = incidents.get(r.id) ?? { group: r.group, firstTs: r.firstTs, lastTs: r.lastTs, closed: false };
    i.firstTs = Math.min(i.firstTs, r.firstTs);
    i.lastTs = Math.max(i.lastTs, r.lastTs);
    i.closed ||= r.state === 'closed';
    incidents.set(r.id, i);
  }
  const groups = new Map<string, Array<[string, { firstTs: number; lastTs: number }]>>();
  for (const [id, i] of incidents) groups.set(i.group, [...(groups.get(i.group) ?? []), [id, i]]);
  for (const [g, list] of groups) {
    list.sort((x, y) => x[1].firstTs - y[1].firstTs);
    for (let j = 1; j < list.length; j++) {
      if (list[j][1].firstTs <= list[j - 1][1].lastTs) out.push(`group ${g}: incidents ${list[j - 1][0]} and ${list[j][0]} overlap (a duplicate open incident)`);
    }
  }
  const firing = [...alerts.values()].filter((a) => a.state === 'firing').length;
  return { violations: out, figures: { alertRecords: parsed.length - [...parsed].filter((r) => r.kind === 'incident').length, distinctAlerts: alerts.size, firing, incidents: incidents.size } };
}
