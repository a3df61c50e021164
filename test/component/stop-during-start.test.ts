/**
 * A stop (SIGTERM) that comes while the start is still under way — here while the source joins its
 * group, which on real Kafka takes seconds — must not let the start go on behind the drain: no
 * part started after it was stopped, no "running" (so no /readyz 200) during or after the drain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import type { RecordHandler, TickSource } from '../../src/pipeline/ports.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { Writable } from 'node:stream';
import { testConfig } from '../helpers/app.ts';

/** A source whose start takes `startMs` (a group join) and that records what happened when. */
class SlowSource implements TickSource {
  readonly events: string[] = [];
  #joined = false;
  constructor(private readonly startMs: number) {}
  async start(_handle: RecordHandler): Promise<void> {
    this.events.push('start:begin');
    await new Promise((r) => setTimeout(r, this.startMs));
    this.#joined = true;
    this.events.push('start:end');
  }
  pause(): void {}
  resume(): void {}
  async stop(): Promise<void> {
    this.events.push('stop');
  }
  hasJoined(): boolean {
    return this.#joined;
  }
}

test('stop() during start(): the start ends before the drain tears down, and the service never reports running', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const config = testConfig({ logLevel: 'info' });
  const source = new SlowSource(600);
  const app = await buildApp(config, { source, logger: createLogger({ level: 'info', name: 't', destination: sink }) });
  const states: string[] = [];
  const sampler = setInterval(() => states.push(app.state()), 5);
  const starting = app.start();
  try {
    while (!source.events.includes('start:begin')) await new Promise((r) => setTimeout(r, 5));
    await app.stop();
    await starting;
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    clearInterval(sampler);
  }
  assert.deepEqual(source.events, ['start:begin', 'start:end', 'stop'], 'the source is stopped after its start finished, not before');
  assert.equal(app.state(), 'stopped');
  assert.ok(!states.includes('running'), `never running once stopping: ${[...new Set(states)].join(' → ')}`);
  assert.ok(!lines.some((l) => l.includes('"msg":"tickcast running"')), 'no "tickcast running" line after the stop');
});
