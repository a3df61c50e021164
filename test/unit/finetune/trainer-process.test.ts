import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../src/model/backend.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { WorkerClient } from '../../../src/model/finetune/worker-client.ts';
import { FT_HYBRID, FT_SPEC } from './helpers.ts';
import { alive } from '../../helpers/process.ts';

const linux = process.platform === 'linux';

/** Niceness of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}


test('trainer process: every thread runs at the configured niceness, with single-threaded GC', { skip: !linux && 'needs /proc' }, async () => {
  await initBackend();
  const champ = HybridModel.create(FT_HYBRID, FT_SPEC, 3);
  const w = new WorkerClient({ isolation: 'process' });
  try {
    const r = (await w.call({ type: 'init', backend: 'auto', nativeKernels: true, config: FT_HYBRID, spec: FT_SPEC, weights: champ.getWeights(), nice: 12 })) as { nice?: number | null };
    assert.equal(r.nice, 12);
    const pid = w.pid!;
    const nice = threadNiceness(pid);
    assert.ok(nice.length > 1, `expected V8/libuv helper threads, found ${nice.length} thread(s)`);
    assert.deepEqual([...new Set(nice)], [12], `thread niceness: ${nice.join(',')}`);
    assert.notEqual(pid, process.pid);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--single-threaded-gc'), cmdline.join(' '));
    // Our own threads were not touched.
    assert.ok(threadNiceness(process.pid).every((n) => n < 12));
  } finally {
    await w.close();
    champ.dispose();
  }
});

test('trainer process: exits by itself when the service is killed with SIGKILL (no orphan)', { skip: !linux && 'needs /proc' }, async () => {
  const fixture = fileURLToPath(new URL('./fixtures/trainer-parent.ts', import.meta.url));
  const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  const trainerPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (c) => {
      out += String(c);
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    parent.once('exit', (code) => reject(new Error(`fixture exited early (code ${code})`)));
  });
  assert.ok(Number.isInteger(trainerPid) && trainerPid > 0);
  assert.ok(alive(trainerPid), 'trainer not running before the kill');
  assert.deepEqual([...new Set(threadNiceness(trainerPid))], [5]);
  const gone = new Promise((r) => parent.once('exit', r));
  parent.kill('SIGKILL');
  await gone;
  const t0 = Date.now();
  while (alive(trainerPid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
  // A zombie (exited, not yet reaped by init in this container) counts as gone.
  const state = alive(trainerPid) ? readFileSync(`/proc/${trainerPid}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
  assert.ok(state === 'gone' || state === 'Z', `trainer ${trainerPid} still running ${Date.now() - t0} ms after its parent was killed (state ${state})`);
});
