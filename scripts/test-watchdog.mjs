// A time limit for each test FILE, which Node's runner lacks since Node 22: `--test-timeout` bounds
// each test, but a file whose tests have ended and whose process then never exits (a native Kafka
// client left connected to brokers that went away, a timer, a socket) blocks the runner for good —
// with --test-concurrency=1 every later file waits behind it, and CI's 90 minutes run out with
// nothing said (stop 47: one such file, 197 tests never run).
//
// How: every few seconds, list the runner's child processes (Linux /proc; elsewhere the watchdog
// is off and says so). A child running one test file longer than the limit is killed with its
// whole process tree (the brokers it started die with it anyway); the runner then reports that
// file as failed and goes on with the next one. The files killed are listed at the end.
import { readFileSync, readdirSync, existsSync } from 'node:fs';

/** {pid, ppid, ageMs, args} of every process readable in /proc. */
function processes() {
  const out = [];
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid … starttime(22nd) …": comm may hold spaces and parentheses, so count
      // from the last ')'. starttime is in clock ticks since boot (USER_HZ: 100 on Linux).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const ageMs = Math.max(0, (uptimeS - Number(fields[19]) / 100) * 1000);
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ppid, ageMs, args });
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return out;
}

/** `pid` and every process below it. */
function tree(all, pid) {
  const ids = [pid];
  for (let i = 0; i < ids.length; i++) for (const p of all) if (p.ppid === ids[i]) ids.push(p.pid);
  return ids;
}

/**
 * Watches the test runner `runnerPid`. `files`: the test files given to it (relative paths), to name
 * the file a child runs. Returns { stop(), killed: string[], slowest(n) }: slowest(n) lists the n
 * files that ran longest (wall time of their process, as last seen: up to 2 s short), to spot a file whose
 * process lingers after its tests.
 */
export function watchTestFiles(runnerPid, files, limitMs, log = console.log) {
  const killed = [];
  const took = new Map(); // file → ms its process lived (as seen)
  const slowest = (n) => [...took].sort((a, b) => b[1] - a[1]).slice(0, n);
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) {
    log(`test: no /proc here: no time limit per test file (each test still has --test-timeout)`);
    return { stop() {}, killed, slowest };
  }
  const gone = new Set(); // pids killed (a zombie until the runner reaps it)
  const timer = setInterval(() => {
    const all = processes();
    for (const p of all) {
      if (p.ppid !== runnerPid || gone.has(p.pid)) continue;
      const file = files.find((f) => p.args.some((a) => a === f || a.endsWith(`/${f}`)));
      if (!file) continue;
      took.set(file, p.ageMs);
      if (p.ageMs <= limitMs) continue;
      log(`\ntest: ${file} still running after ${Math.round(limitMs / 1000)} s (a test hung, or the file's process did not exit after its tests): killed with its child processes; the run goes on`);
      killed.push(file);
      gone.add(p.pid);
      for (const id of tree(all, p.pid).reverse()) {
        try {
          process.kill(id, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }, 2_000);
  timer.unref();
  return { stop: () => clearInterval(timer), killed, slowest };
}
