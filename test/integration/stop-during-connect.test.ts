/**
 * A stop while a start step waits on the brokers: here the consumer's connect, with the brokers gone
 * after the producer connected (its metadata request waits 30 s, past shutdown.graceMs). The stop
 * must end the start at once — before, the drain waited for the step, so SIGTERM took the whole
 * graceMs and exited 1. Real broker (the local mock, taken down between the producer's connect and
 * the consumer's), real app. Likewise the feedback topic's producer's connect (`feedback.topic` set),
 * which comes before that topic's consumer: the brokers go away just before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { Writable } from 'node:stream';
import { testConfig } from '../helpers/app.ts';
import { startBroker, uniqueName, type LocalBroker } from '../helpers/broker.ts';
import { pollUntil } from '../helpers/poll.ts';

/**
 * A logger that takes the brokers down when a line containing `marker` is written: synchronously,
 * so the signal has landed (blocking wait) before the step logged just before it begins.
 */
function downOnLine(broker: LocalBroker, marker: string): { lines: string[]; logger: ReturnType<typeof createLogger>; isDown: () => boolean } {
  const lines: string[] = [];
  let down = false;
  const write = (c: unknown, _e: unknown, cb: () => void) => {
    const line = String(c);
    lines.push(line);
    if (!down && line.includes(marker)) {
      broker.down();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      down = true;
    }
    cb();
  };
  return { lines, logger: createLogger({ level: 'info', name: 't', destination: new Writable({ write }) }), isDown: () => down };
}

/**
 * Starts `app`, waits until the brokers are down (`isDown`) and a second more (the start step is
 * then waiting on them), and stops it: the stop must end within 5 s, the start resolve quietly and
 * the service never have been running. `before` says what the stop waited for until it was fixed.
 */
async function stopWhileWaiting(app: Awaited<ReturnType<typeof buildApp>>, isDown: () => boolean, lines: readonly string[], before: string): Promise<void> {
  let settled: string | null = null;
  const starting = app.start().then(() => (settled = 'resolved'), (err: Error) => (settled = `rejected: ${err.message}`));
  while (!isDown()) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_000)); // the start step is waiting for the brokers
  assert.equal(settled, null, 'the start is still waiting for the brokers');
  const t0 = Date.now();
  const stopped = await Promise.race([Promise.all([app.stop(), starting]).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000).unref())]);
  const ms = Date.now() - t0;
  assert.ok(stopped, `stop() ended within 15 s (before: ${before})`);
  assert.ok(ms < 5_000, `stop took ${ms} ms`);
  assert.equal(settled, 'resolved', 'start() ends quietly when stopped');
  assert.equal(app.state(), 'stopped');
  assert.ok(!lines.some((l) => l.includes('"msg":"tickcast running"')), 'never running');
}

test('SIGTERM while the consumer connects to brokers that went away: the start ends at once and the stop is prompt', { timeout: 120_000 }, async () => {
  const prefix = uniqueName('stopconnect');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopconnect-it-'));
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', name: 't', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  const config = testConfig({
    logLevel: 'info',
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
  });
  const app = await buildApp(config, { logger });
  try {
    // The step before the source's start (loading the snapshot) takes the brokers away: the producer is connected, the consumer is not.
    const snapshots = app.snapshots!;
    const load = snapshots.load.bind(snapshots);
    let down = false;
    snapshots.load = async () => {
      broker.down();
      await new Promise((r) => setTimeout(r, 300));
      down = true;
      return load();
    };
    await stopWhileWaiting(app, () => down, lines, "it waited for the consumer's connect, 30 s");
  } finally {
    await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM while the feedback topic\'s producer connects to brokers that went away: the start ends at once and the stop is prompt', { timeout: 120_000 }, async () => {
  const prefix = uniqueName('stopfbconnect');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const feedbackTopic = `${prefix}.anomalies.feedback`;
  const broker = await startBroker({ topics: [...Object.values(topics), feedbackTopic].map((name) => ({ name, partitions: 1 })) });
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopfbconnect-it-'));
  // Logged synchronously just before the feedback producer's connect (main producer connected).
  const { lines, logger, isDown } = downOnLine(broker, '"msg":"alert feedback loaded"');
  const config = testConfig({
    logLevel: 'info',
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    topics,
    model: { dir: path.join(dir, 'model') },
    feedback: { topic: feedbackTopic },
  });
  const app = await buildApp(config, { logger });
  try {
    await stopWhileWaiting(app, isDown, lines, "it waited for the feedback producer's connect");
  } finally {
    await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM while the main producer connects to brokers that went away (after the cluster check): the stop ends the cluster look-ups and the admin client, and the producer disconnects once connected', { timeout: 120_000 }, async () => {
  const prefix = uniqueName('stopprodconnect');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  // No forecasts topic: the cluster check logs it missing (synchronously) just before the producer's connect.
  const broker = await startBroker({ topics: [topics.ticks, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 })) });
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopprodconnect-it-'));
  const { lines, logger, isDown } = downOnLine(broker, '"code":"TC_KAFKA_TOPIC_MISSING"');
  const config = testConfig({
    logLevel: 'info',
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    topics,
    model: { dir: path.join(dir, 'model') },
  });
  const app = await buildApp(config, { logger });
  const logged = (msg: string) => lines.filter((l) => l.includes(`"msg":"${msg}"`)).length;
  try {
    const starting = app.start().catch(() => undefined);
    while (!isDown()) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1_000)); // the producer's connect is waiting for the brokers
    const stopped = await Promise.race([Promise.all([app.stop(), starting]).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000).unref())]);
    assert.ok(stopped, 'stop() ended within 15 s');
    assert.equal(app.state(), 'stopped');
    // Before (6 Dec 2026): a transport whose producer was still connecting was not disconnected at
    // all — its admin client stayed connected and looked for the missing topic every 40 s, the
    // producer connected once the brokers came back and stayed so: the process never exited.
    assert.ok(await pollUntil(() => logged('Admin client disconnected') >= 1, 5_000), 'the admin client is disconnected by the stop');
    broker.up();
    assert.ok(await pollUntil(() => logged('Producer disconnected') >= 1, 30_000), 'the producer, connected once the brokers are back, is disconnected');
  } finally {
    await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
