/**
 * kcat (Debian's `kcat`, on the system librdkafka): an independent producer/consumer for codec
 * tests. Installed with apt-get when missing and we are root (like the broker's build needs);
 * otherwise `kcatBinary()` returns null and the caller skips with the reason.
 */
import { execFileSync, spawn } from 'node:child_process';

let cached: string | null | undefined;
export let kcatMissingReason = '';

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export function kcatBinary(): string | null {
  if (cached !== undefined) return cached;
  let bin = which('kcat') ?? which('kafkacat');
  if (!bin && process.getuid?.() === 0 && which('apt-get')) {
    try {
      execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    } catch (err) {
      kcatMissingReason = `apt-get install kcat failed: ${(err as Error).message}`;
    }
    bin = which('kcat');
  }
  if (!bin && !kcatMissingReason) kcatMissingReason = 'kcat is not installed (Debian: apt-get install kcat) and cannot be installed here (not root / no apt-get)';
  cached = bin;
  return bin;
}

function run(bin: string, args: string[], input: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`));
    });
    child.stdin.end(input);
  });
}

/**
 * Produces `key<TAB>value` lines with codec `codec` in batches (linger 200 ms so each batch holds
 * many records, all compressed together), acks=all. Values must not contain tabs or newlines.
 */
export async function kcatProduce(bootstrap: string, topic: string, codec: string, messages: Array<{ key: string; value: string }>): Promise<void> {
  const bin = kcatBinary();
  if (!bin) throw new Error(kcatMissingReason);
  const input = messages.map((m) => `${m.key}\t${m.value}`).join('\n') + '\n';
  await run(bin, ['-P', '-b', bootstrap, '-t', topic, '-K', '\t', '-z', codec, '-X', 'linger.ms=200', '-X', 'batch.num.messages=10000', '-X', 'acks=all'], input, 60_000);
}

/** Reads a topic from the beginning to its end; one string per record value. */
export async function kcatConsumeAll(bootstrap: string, topic: string): Promise<string[]> {
  const bin = kcatBinary();
  if (!bin) throw new Error(kcatMissingReason);
  const out = await run(bin, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], '', 60_000);
  return out.split('\n').filter((l) => l.length > 0);
}
