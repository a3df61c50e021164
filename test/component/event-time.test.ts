/**
 * Event time through the whole app, as a device fleet sends it: pauses, restarts on a new phase,
 * clocks that drift. Each test feeds the real pipeline (seeded model) and reads what comes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/telemetry/logger.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { outputContract } from '../helpers/output-contract.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const MIN = 60_000;

/** An app over a sink that keeps what it is sent, and a record maker (sent when stamped). */
async function rig(logLines?: Array<Record<string, unknown>>, overrides: ConfigInput = {}) {
  const sent: OutMessage[] = [];
  const destination = new Writable({ write: (c, _e, cb) => (logLines?.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) });
  const logger = logLines ? { logger: createLogger({ level: 'warn', name: 'tickcast-test', destination }) } : {};
  const app = await startTestApp(overrides, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource, ...logger });
  let offset = 0;
  const rec = (series: string, ts: number, value: number, sentAt = ts): RawRecord => ({
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ ts, value })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: sentAt,
  });
  const alerts = () => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as { state: string; ts: number });
  /** The output contract (docs/schemas.md) on every record written so far: [] when all keep it. */
  const contractProblems = () => sent.flatMap((m) => contract.check({ stream: m.stream, key: m.key === null ? null : String(m.key), value: m.value === null ? null : String(m.value), headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, String(v)])) }));
  const forecasts = () => sent.splice(0).filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as { ts: number; horizon: Array<{ ts: number }>; closedSteps?: number[] });
  const metric = async (line: RegExp): Promise<number> => Number(line.exec(await (await fetch(`${app.address()}/metrics`)).text())?.[1] ?? 0);
  return { app, rec, forecasts, metric, alerts, contractProblems };
}
const contract = outputContract();

test('a device back from two hours offline on a new phase: its forecast steps stay a minute apart (the pause is not its spacing)', async () => {
  const { app, rec, forecasts } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 4 * 3_600_000;
    const before: RawRecord[] = [];
    for (let k = 0; k < 30; k++) before.push(rec('sensor', (t += MIN + (k % 2 ? 200 : -200)), 20 + Math.sin(k)));
    await app.pipeline.handle(before);
    assert.ok(forecasts().length > 0);
    t += 2 * 3_600_000 + 25_000; // offline, and its clock restarts 25 s off the old phase
    const after: RawRecord[] = [];
    for (let k = 0; k < 10; k++) after.push(rec('sensor', (t += MIN), 20 + Math.sin(k)));
    await app.pipeline.handle(after);
    const out = forecasts();
    assert.equal(out.length, 10);
    for (const f of out) {
      const steps = f.horizon.map((h, k) => h.ts - (k === 0 ? f.ts : f.horizon[k - 1].ts));
      assert.ok(steps.every((dt) => Math.abs(dt - MIN) < 1000), `steps ${steps.join(', ')} ms after ${new Date(f.ts).toISOString()}`);
    }
  } finally {
    await app.stop();
  }
});

test('a producer whose clock is 3 h behind its devices\' (every tick "ahead" of its Kafka timestamp): a reading re-sent minutes later is late, not forecast again', async () => {
  const { app, rec, forecasts, metric } = await rig();
  try {
    const H3 = 3 * 3_600_000;
    let t = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
    const live: RawRecord[] = [];
    for (let k = 0; k < 30; k++, t += MIN) live.push(rec('gw/dev-1', t, 20 + Math.sin(k / 3), t - H3));
    await app.pipeline.handle(live);
    const stamped = new Set(forecasts().map((f) => f.ts));
    const last = t - MIN;
    // The gateway re-sends two buffered readings it had sent already (store and forward).
    await app.pipeline.handle([rec('gw/dev-1', last - 5 * MIN, 20, last - H3 + 1000), rec('gw/dev-1', last - 2 * MIN, 21, last - H3 + 2000)]);
    assert.deepEqual(forecasts().filter((f) => stamped.has(f.ts)).map((f) => new Date(f.ts).toISOString()), [], 'no second forecast at a time already forecast at');
    assert.equal(await metric(/^tickcast_ticks_total\{result="late"\} (\d+)/m), 2);
    assert.equal(app.serving.getSeries('gw/dev-1')?.lastTs, last);
  } finally {
    await app.stop();
  }
});

test('one reading stamped 2 h ahead that fires (a brownout: clock and value both wrong) does not hold back its series\' next alert for 2 h 30 min: the cooldown runs from the step back', async () => {
  const { app, rec, alerts } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 600 * MIN;
    const level = (k: number) => 20 + Math.sin(k / 7) + 0.3 * Math.sin(k * 12.9898);
    let k = 0;
    const warm: RawRecord[] = [];
    for (; k < 500; k++, t += MIN) warm.push(rec('plc-7', t, level(k)));
    await app.pipeline.handle(warm);
    await app.pipeline.handle([rec('plc-7', t + 2 * 3_600_000, 60, t)]);
    assert.deepEqual(alerts().map((a) => a.state), ['firing'], 'the fast spike fires');
    const calm: RawRecord[] = [];
    for (let i = 0; i < 70; i++) calm.push(rec('plc-7', (t += MIN), level(k++)));
    await app.pipeline.handle(calm);
    assert.deepEqual(alerts().map((a) => a.state), ['firing', 'resolved']);
    await app.pipeline.handle([rec('plc-7', (t += MIN), 60)]); // a real fault, 71 min later on the true clock
    const fired = alerts().filter((a) => a.state === 'firing');
    assert.equal(fired.length, 2, 'the real fault fires');
    assert.equal(fired[1].ts, t);
  } finally {
    await app.stop();
  }
});

test('a device whose first reading after a reboot is stamped by its reset clock (2000-01-01): its next forecasts step a minute, not 27 years', async () => {
  const { app, rec, forecasts } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
    const ticks: RawRecord[] = [rec('rtc-reset', Date.UTC(2000, 0, 1), 20, t)];
    for (let k = 0; k < 20; k++, t += MIN) ticks.push(rec('rtc-reset', t, 20 + Math.sin(k / 4)));
    await app.pipeline.handle(ticks);
    const out = forecasts();
    assert.ok(out.length >= 18);
    for (const f of out.slice(1)) assert.equal(f.horizon[0].ts - f.ts, MIN, `step 1 of the forecast at ${new Date(f.ts).toISOString()}`); // the first: one interval known
  } finally {
    await app.stop();
  }
});

test('the same device read for 15 hours: no forecast names steps in hours it has not read in yet as closed (its age is not counted from 2000)', async () => {
  const { app, rec, forecasts } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 900 * MIN;
    const ticks: RawRecord[] = [rec('rtc-reset', Date.UTC(2000, 0, 1), 20, t)];
    for (let k = 0; k < 880; k++, t += MIN) ticks.push(rec('rtc-reset', t, 20 + Math.sin(k / 5)));
    await app.pipeline.handle(ticks);
    const out = forecasts();
    assert.ok(out.length > 800);
    assert.deepEqual(out.filter((f) => f.closedSteps).map((f) => `${new Date(f.ts).toISOString()} ${f.closedSteps}`), []);
  } finally {
    await app.stop();
  }
});

test('an alert fired on a tick stamped 2 h ahead and resolved after its series steps back: the resolved record is not stamped before the firing one (tickTs keeps the resolving tick\'s own ts)', async () => {
  const { app, rec, alerts, contractProblems } = await rig();
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 600 * MIN;
    const level = (k: number) => 20 + Math.sin(k / 7) + 0.3 * Math.sin(k * 12.9898);
    let k = 0;
    const warm: RawRecord[] = [];
    for (; k < 500; k++, t += MIN) warm.push(rec('plc-8', t, level(k)));
    await app.pipeline.handle(warm);
    const fastTs = t + 2 * 3_600_000;
    await app.pipeline.handle([rec('plc-8', fastTs, 60, t)]);
    const stepBackFrom = t;
    const calm: RawRecord[] = [];
    for (let i = 0; i < 70; i++) calm.push(rec('plc-8', (t += MIN), level(k++)));
    await app.pipeline.handle(calm);
    const [firing, resolved] = alerts() as Array<{ state: string; ts: number; tickTs?: number; id: string }>;
    assert.deepEqual([firing.state, resolved.state], ['firing', 'resolved']);
    assert.equal(firing.ts, fastTs);
    assert.ok(resolved.ts >= firing.ts, `resolved at ${new Date(resolved.ts).toISOString()}, before its firing at ${new Date(firing.ts).toISOString()}`);
    assert.equal(resolved.ts, firing.ts);
    assert.ok(resolved.tickTs !== undefined && resolved.tickTs > stepBackFrom && resolved.tickTs <= t, `tickTs ${resolved.tickTs}`);
    const { items } = (await (await fetch(`${app.address()}/v1/anomalies?series=plc-8`)).json()) as { items: Array<{ state: string; tickTs?: number }> };
    assert.equal(items.find((a) => a.state === 'resolved')?.tickTs, resolved.tickTs, 'GET /v1/anomalies carries tickTs too');
    assert.deepEqual(contractProblems(), [], 'every record keeps the documented schema, tickTs included');
  } finally {
    await app.stop();
  }
});

test('late ticks name their series: one rate-limited warning per series (how late, its last ts), and the series\' late count in GET /v1/series/{id}', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const { app, rec, metric } = await rig(lines);
  try {
    const t0 = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
    const feed: RawRecord[] = [];
    for (let k = 0; k < 30; k++) feed.push(rec('yard/dev-1', t0 + k * MIN, 20 + Math.sin(k)), rec('yard/dev-2', t0 + k * MIN, 20 + Math.cos(k)));
    await app.pipeline.handle(feed);
    const last = t0 + 29 * MIN;
    // dev-1's clock steps back 10 min and sends three readings; dev-2 re-sends one.
    await app.pipeline.handle([rec('yard/dev-1', last - 10 * MIN, 20), rec('yard/dev-1', last - 9 * MIN, 20), rec('yard/dev-1', last - 8 * MIN, 20), rec('yard/dev-2', last - MIN, 20)]);
    assert.equal(await metric(/^tickcast_ticks_total\{result="late"\} (\d+)/m), 4);
    const late = lines.filter((l) => String(l.msg).startsWith('late tick dropped'));
    assert.deepEqual(late.map((l) => [l.series, l.lateByMs, l.lastTs]), [['yard/dev-1', 10 * MIN, new Date(last).toISOString()], ['yard/dev-2', MIN, new Date(last).toISOString()]], 'one line per series in the interval, naming it, how late and its last ts');
    assert.match(String(late[0].msg), /yard\/dev-1/);
    const detail = (await (await fetch(`${app.address()}/v1/series/${encodeURIComponent('yard/dev-1')}`)).json()) as { lateTicks?: number };
    assert.equal(detail.lateTicks, 3);
    const other = (await (await fetch(`${app.address()}/v1/series/${encodeURIComponent('yard/dev-2')}`)).json()) as { lateTicks?: number };
    assert.equal(other.lateTicks, 1);
  } finally {
    await app.stop();
  }
});

test('the same alert still firing when its series is evicted after the step back: the evicted resolve is not stamped before its firing either', async () => {
  const { app, rec, alerts } = await rig(undefined, { windows: { maxSeries: 2 } });
  try {
    let t = Math.floor(Date.now() / MIN) * MIN - 600 * MIN;
    const level = (k: number) => 20 + Math.sin(k / 7) + 0.3 * Math.sin(k * 12.9898);
    const warm: RawRecord[] = [];
    for (let k = 0; k < 500; k++, t += MIN) warm.push(rec('plc-9', t, level(k)));
    await app.pipeline.handle(warm);
    const fastTs = t + 2 * 3_600_000;
    await app.pipeline.handle([rec('plc-9', fastTs, 60, t)]);
    await app.pipeline.handle([rec('plc-9', (t += MIN), 60), rec('plc-9', (t += MIN), 60)]); // stepped back, still anomalous
    assert.deepEqual(alerts().map((a) => a.state), ['firing'], 'still firing after the step back');
    await app.pipeline.handle([rec('other-1', t, 1), rec('other-2', t, 1), rec('other-2', t + MIN, 1)]); // plc-9 goes at the cap
    const [firing, resolved] = alerts() as Array<{ state: string; ts: number; tickTs?: number; reason?: string }>;
    assert.deepEqual([resolved?.state, resolved?.reason], ['resolved', 'evicted']);
    assert.equal(resolved.ts, firing.ts, `resolved at ${new Date(resolved.ts).toISOString()}, its firing at ${new Date(firing.ts).toISOString()}`);
    assert.equal(resolved.tickTs, t, 'the last tick of the series');
  } finally {
    await app.stop();
  }
});
