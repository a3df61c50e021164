/**
 * `npm run bench:first-forecast` — time from process start to the first forecast of `npm start`
 * on a fresh machine (embedded mode: no Kafka, the bundled sample replayed at its default rate,
 * no checkpoint directory), with the shipped pretrained model and, in the same run, with it
 * switched off (TICKCAST_MODEL_PRETRAINED=false: the bootstrap model is trained at start, what
 * shipped before). Each variant starts what `npm start` runs — `node dist/main.js`, built first
 * if stale, as the `prestart` script does (BENCH_TSX=1: `tsx src/main.ts`, transpiling at load)
 * — reads its JSON log lines and stops it (SIGTERM) at the first `forecast` line. Target: < 5 s.
 *
 * Options (env): BENCH_RUNS (2 per variant), BENCH_TIMEOUT_S (120).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 120);
const TSX = process.env.BENCH_TSX === '1';
const ENTRY = TSX ? [resolve(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'src/main.ts'] : ['dist/main.js'];

interface Timing {
  firstForecastS: number | null;
  /** Inference engine built (model loaded or trained, ONNX exported and checked). */
  servingS: number | null;
  /** First log line: modules loaded (tsx transpile + imports), the process is configuring. */
  firstLogS?: number;
  /** "tickcast running": every component started. */
  runningS?: number;
  modelSource: string;
}

/** This environment minus any Kafka/model-dir settings (a fresh machine: embedded mode, no checkpoint). */
function freshEnv(pretrained: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TICKCAST_|KAFKA_)/.test(k)) env[k] = v;
  return { ...env, TICKCAST_HTTP_PORT: '0', TICKCAST_LOG_LEVEL: 'info', TICKCAST_MODEL_PRETRAINED: String(pretrained) };
}

function once(pretrained: boolean): Promise<Timing> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ENTRY, {
      cwd: repoRoot,
      env: freshEnv(pretrained),
      stdio: ['pipe', 'pipe', 'pipe'], // stdin must be a pipe: with 'ignore' the service never got going here
    });
    const r: Timing = { firstForecastS: null, servingS: null, modelSource: '?' };
    let buf = '';
    const finish = () => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      done(r);
    };
    const timer = setTimeout(finish, TIMEOUT_S * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let m: { msg?: string; pretrained?: string };
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        const s = (performance.now() - t0) / 1000;
        r.firstLogS ??= s;
        if (m.msg?.includes('pretrained model') && m.pretrained) r.modelSource = `pretrained ${m.pretrained}`;
        if (m.msg?.startsWith('bootstrap model trained')) r.modelSource = 'bootstrap (trained at start)';
        if (r.servingS === null && /^inference engine/.test(m.msg ?? '')) r.servingS = s;
        if (m.msg === 'tickcast running') r.runningS = s;
        if (m.msg === 'forecast' && r.firstForecastS === null) {
          r.firstForecastS = s;
          finish();
        }
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      done(r);
    });
  });
}

async function main(): Promise<void> {
  if (!TSX) execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: repoRoot, stdio: 'inherit' });
  console.log(`# bench:first-forecast — npm start (embedded, no checkpoint; node ${ENTRY.join(' ')}), ${RUNS} runs per variant, alternating; ${cpus()[0]?.model ?? '?'} × ${cpus().length} cores, node ${process.version}`);
  const res: Record<string, number[]> = { pretrained: [], bootstrap: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const pretrained of i % 2 === 0 ? [true, false] : [false, true]) {
      const t = await once(pretrained);
      const key = pretrained ? 'pretrained' : 'bootstrap';
      if (t.firstForecastS !== null) res[key].push(t.firstForecastS);
      const at = (v: number | null | undefined) => (v == null ? '—' : `${v.toFixed(2)} s`);
      console.log(`  ${key}: model ${t.modelSource}; first log ${at(t.firstLogS)}, engine ready ${at(t.servingS)}, running ${at(t.runningS)}, first forecast ${t.firstForecastS === null ? `none within ${TIMEOUT_S} s` : at(t.firstForecastS)} after process start`);
    }
  }
  const med = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
  const p = med(res.pretrained);
  const b = med(res.bootstrap);
  console.log(`\nfirst forecast (median): pretrained ${p.toFixed(2)} s (target < 5 s: ${p < 5 ? 'met' : 'missed'}), bootstrap training ${b.toFixed(2)} s; ratio ${(b / p).toFixed(1)}×`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
