/**
 * Feedback on an alert still firing when the service restarted (a deploy while on call): the alert
 * comes back open from the series-state snapshot, so POST /v1/anomalies/:id/feedback finds it.
 * Before, the alert index started empty and the call answered 404 TC_ALERT_NOT_FOUND until the
 * alert fired again. An alert that fired before the restart and resolved since is found too: the
 * alert index itself is in the snapshot (before 6 Dec 2026 that call answered 404).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { produce } from '../helpers/kafka.ts';
import { startRestartRig } from '../helpers/restart-rig.ts';
import type { App } from '../../src/app.ts';

const T0 = Date.UTC(2025, 0, 1);

/** Ticks [from, to) of one series; from tick 600 on it sits far above its usual level (still firing). */
function ticks(from: number, to: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = from; i < to; i++) {
    const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + Math.sin(i * 12.9898) * 0.5 + (i === 600 ? 80 : 0);
    out.push({ key: 'web-1:cpu', value: JSON.stringify({ series: 'web-1:cpu', ts: T0 + i * 60_000, value: v }) });
  }
  return out;
}

/** The real broker and app (snapshots on), restarted by `scenario`; cleaned up after. */
async function withService(name: string, scenario: (env: { start: () => Promise<App>; produce: (from: number, to: number) => Promise<void>; alerts: () => Array<Record<string, any>>; waitFor: (cond: () => boolean, what: string) => Promise<void> }) => Promise<void>): Promise<void> {
  const rig = await startRestartRig(name, { tickPartitions: 1, watch: ['anomalies'] });
  const { topics, producer, c } = rig;
  const config = { ...rig.config, http: { allowUnauthenticatedMutations: true } };
  try {
    await scenario({
      start: () => rig.start(config),
      produce: (from, to) => produce(producer, topics.ticks, ticks(from, to)),
      alerts: () => c.of(topics.anomalies).map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert'),
      waitFor: (cond, what) => c.waitFor(cond, 60_000, what),
    });
  } finally {
    await rig.close();
  }
}

async function giveFeedback(app: App, id: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${app.address()}/v1/anomalies/${encodeURIComponent(id)}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'false_positive' }) });
  return { status: res.status, body: await res.json() };
}

test('feedback on an alert that was firing at a restart is accepted after it', { timeout: 300_000 }, () =>
  withService('fbrest', async ({ start, produce: send, alerts, waitFor }) => {
    const app1 = await start();
    await send(0, 602);
    await waitFor(() => alerts().some((r) => r.state === 'firing'), 'the alert');
    await app1.stop();
    const firing = alerts().find((r) => r.state === 'firing')!;
    assert.ok(!alerts().some((r) => r.state === 'resolved'), 'still firing at the restart');

    const app2 = await start();
    const { status, body } = await giveFeedback(app2, firing.id);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.alertId, firing.id);
    assert.equal(body.series, 'web-1:cpu');
  }));

test('feedback on an alert that fired before a restart and has resolved since is accepted after it', { timeout: 300_000 }, () =>
  withService('fbresolved', async ({ start, produce: send, alerts, waitFor }) => {
    const app1 = await start();
    await send(0, 602);
    await waitFor(() => alerts().some((r) => r.state === 'firing'), 'the alert');
    const firing = alerts().find((r) => r.state === 'firing')!;
    await send(602, 700);
    await waitFor(() => alerts().some((r) => r.state === 'resolved' && r.series === firing.series), 'the alert resolved');
    await app1.stop();

    const app2 = await start();
    const { status, body } = await giveFeedback(app2, firing.id);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.alertId, firing.id);
    assert.equal(body.series, 'web-1:cpu');
    assert.equal(body.feedback.alertTs, firing.ts);
  }));
