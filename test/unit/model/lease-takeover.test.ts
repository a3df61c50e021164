/**
 * The fine-tune lease's takeover under contention (src/model/shared-dir/lease.ts). Until 6 Dec 2026
 * a takeover moved the lease file aside and put back a record that had changed meanwhile; while
 * it was aside, another contender found no lease, created one, and two replicas held it (1 round
 * in 300–1500 of six contenders with jittered file operations). The invariant that rules it out:
 * once created, the lease file never disappears — every replacement is one rename over it, under a
 * takeover lock. This file wraps fs.promises (its own process), so it checks that invariant after
 * every file operation of every contender, with jitter between them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fsp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DirLease, LEASE_FILE } from '../../../src/model/shared-dir/lease.ts';

const LOCK = `${LEASE_FILE}.takeover`;
let watched: string | null = null;
let vanished = 0;
const ops = ['rename', 'link', 'readFile', 'rm', 'unlink', 'writeFile', 'open'] as const;
for (const op of ops) {
  const orig = (fsp[op] as (...a: unknown[]) => Promise<unknown>).bind(fsp);
  (fsp as unknown as Record<string, unknown>)[op] = async (...a: unknown[]) => {
    await new Promise((r) => setTimeout(r, Math.random() * 2));
    try {
      return await orig(...a);
    } finally {
      if (watched !== null && !existsSync(watched)) vanished++;
    }
  };
}

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-lease-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('six contenders for an expired or a released lease: exactly one wins, and the lease file never disappears meanwhile', async (t) => {
  const dir = tmp(t);
  let now = 1_000_000;
  await new DirLease({ dir, ttlMs: 1_000, owner: 'first', now: () => now }).acquireOrRenew();
  watched = path.join(dir, LEASE_FILE);
  vanished = 0;
  for (let round = 0; round < 40; round++) {
    now += 1_001; // the holder stops renewing
    const leases = Array.from({ length: 6 }, (_, i) => new DirLease({ dir, ttlMs: 1_000, owner: `r${round}-${i}`, now: () => now }));
    const won = await Promise.all(leases.map((l) => l.acquireOrRenew()));
    assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
    const winner = leases[won.indexOf(true)];
    assert.equal(JSON.parse(readFileSync(watched, 'utf8')).owner, winner.owner);
    if (round % 2 === 1) await winner.release(); // the next round contends for a released one
  }
  watched = null;
  assert.equal(vanished, 0, `the lease file was missing after ${vanished} file operations`);
  assert.deepEqual(readdirSync(dir).sort(), [LEASE_FILE], 'no lock or temp files left behind');
});

test('a takeover lock left by a crashed replica holds takeovers back until ttlMs has passed, then is cleared', async (t) => {
  const dir = tmp(t);
  let now = 1_000_000;
  const clock = () => now;
  assert.equal(await new DirLease({ dir, ttlMs: 1_000, owner: 'a', now: clock }).acquireOrRenew(), true);
  writeFileSync(path.join(dir, LOCK), `${JSON.stringify({ owner: 'crashed', at: now + 500 })}\n`);
  now += 1_001; // a's lease expired; the lock is 501 ms old
  const b = new DirLease({ dir, ttlMs: 1_000, owner: 'b', now: clock });
  assert.equal(await b.acquireOrRenew(), false, 'a fresh lock: another replica is taking over');
  now += 1_000; // the lock is 1,501 ms old: its holder is gone
  assert.equal(await b.acquireOrRenew(), true);
  assert.equal(JSON.parse(readFileSync(path.join(dir, LEASE_FILE), 'utf8')).owner, 'b');
  assert.deepEqual(readdirSync(dir).sort(), [LEASE_FILE]);
  // A half-written lock (no time in it) is judged by its file's age.
  writeFileSync(path.join(dir, LOCK), '{"own');
  now += 1_001;
  const c = new DirLease({ dir, ttlMs: 1_000, owner: 'c', now: () => Date.now() });
  assert.equal(await c.acquireOrRenew(), false, 'just written: not stale');
  const late = new DirLease({ dir, ttlMs: 1_000, owner: 'c', now: () => Date.now() + 1_100 });
  assert.equal(await late.acquireOrRenew(), true);
});

test('release gives the lease up through the lock and keeps the epoch for the next holder to exceed', async (t) => {
  const dir = tmp(t);
  const a = new DirLease({ dir, ttlMs: 1_000, owner: 'a' });
  assert.equal(await a.acquireOrRenew(), true);
  const epoch = a.seen?.epoch ?? -1;
  await a.release();
  const rec = JSON.parse(readFileSync(path.join(dir, LEASE_FILE), 'utf8'));
  assert.deepEqual(rec, { owner: '', expiresAt: 0, epoch });
  const b = new DirLease({ dir, ttlMs: 1_000, owner: 'b' });
  assert.equal(await b.acquireOrRenew(), true);
  assert.equal(b.seen?.epoch, epoch + 1);
  assert.deepEqual(readdirSync(dir).sort(), [LEASE_FILE]);
});
