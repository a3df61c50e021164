/** The Kafka client's log lines: a burst of one repeated line is logged once, then counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { clientLogger } from '../../../src/adapters/kafka/client.ts';

test('a line the client repeats within 10 s is logged once; the next after says how many were left out; onError hears all', () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
  let t = 0;
  const errors: string[] = [];
  const log = clientLogger(pino({ level: 'info' }, sink), (m) => errors.push(m), () => t);
  for (let i = 0; i < 550; i++) log.error('all broker connections are down');
  log.warn('all broker connections are down'); // another level: its own line
  log.error('Connect to ipv4#127.0.0.1:9 failed');
  assert.equal(errors.length, 551, 'every error reaches the listener (it counts skipped batches)');
  assert.deepEqual(lines.map((l) => l.msg), ['all broker connections are down', 'all broker connections are down', 'Connect to ipv4#127.0.0.1:9 failed']);
  t = 10_001;
  log.error('all broker connections are down');
  assert.equal(lines.length, 4);
  assert.equal(lines[3].suppressedRepeats, 549);
  log.error('all broker connections are down');
  assert.equal(lines.length, 4, 'a new window began');
});
