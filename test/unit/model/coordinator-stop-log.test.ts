// What a stopping replica says about the fine-tune lease (src/model/shared-dir/coordinator.ts stop()).
// Until 6 Dec 2026 every stop logged "fine-tune lease not held: fine-tuning rounds are skipped here
// while another replica holds it" — on a lone service with fine-tuning off (no lease) and on the
// replica that had just released the lease itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DirLease } from '../../../src/model/shared-dir/lease.ts';
import { SharedDirCoordinator } from '../../../src/model/shared-dir/coordinator.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

function coordinator(dir: string, withLease: boolean) {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(...String(c).split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { msg: unknown }).msg))), cb()) });
  const lease = withLease ? new DirLease({ dir, ttlMs: 3_000, owner: 'a' }) : null;
  const events: string[] = [];
  const tuner = { championChanged: () => {}, pinChanged: () => {}, leaseLost: () => events.push('lease lost') };
  const logger = createLogger({ level: 'info', name: 't', destination: sink });
  const coord = new SharedDirCoordinator({ dir, lease, ttlMs: 3_000, followMs: 0, promoter: null as never, registry: null as never, tuner, logger, metrics: createMetrics({ defaultMetrics: false }) });
  return { coord, lines, events };
}

test('fine-tuning off (no lease): starting and stopping say nothing about a lease', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-coord-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { coord, lines, events } = coordinator(dir, false);
  await coord.start();
  await coord.stop();
  assert.deepEqual(lines.filter((m) => /lease/.test(m)), []);
  assert.deepEqual(events, []);
});

test('a replica that holds the lease says it released it when it stops, not that another replica holds it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-coord-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { coord, lines, events } = coordinator(dir, true);
  await coord.start();
  assert.equal(coord.leading, true);
  await coord.stop();
  assert.equal(coord.leading, false);
  assert.deepEqual(lines.filter((m) => /lease/.test(m)), ['fine-tune lease taken: this replica fine-tunes and promotes', 'fine-tune lease released: this replica is stopping']);
  assert.deepEqual(events, ['lease lost']);
  assert.equal(await new DirLease({ dir, ttlMs: 3_000, owner: 'b' }).acquireOrRenew(), true, 'released: another replica takes it at once');
});
