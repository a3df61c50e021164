/**
 * Errors that reach a user, a log line or an HTTP answer carry a code (src/errors/catalogue.ts,
 * docs/errors.md). A plain `throw new Error(...)` / `RangeError` / `TypeError` (or a promise
 * rejected with one) in src/ is allowed only where it is listed here, with why it never reaches
 * anyone as it is: an internal invariant (a bug if it fires), a constructor argument the config
 * schema already refused, or an error a caller wraps in a coded one. A new plain throw fails this
 * test: give it a code (TickcastError), or add it here with its reason — a conscious choice.
 * Browser code (adapters/http/dashboard/static) is not scanned. Since 7 Dec 2026.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFiles, read } from './repo.ts';

const ALLOWED: Record<string, { count: number; why: string }> = {
  'src/config/otel-env.ts': { count: 2, why: 'parseResourceAttributes: its callers (otelEnv, the telemetry schema) turn the message into a TC_CONFIG_INVALID problem' },
  'src/data/columns.ts': { count: 1, why: 'invariant: a column asked for in a type it was not read as' },
  'src/data/normalise.ts': { count: 1, why: 'invariant: statistics for the columns of the same spec' },
  'src/domain/anomaly/top-k-gauge.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/domain/band-quality.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/domain/feature-paths.ts': { count: 1, why: 'input.fields.features paths the config loader refused first (featurePathProblems)' },
  'src/domain/feedback/feedback-policy.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/domain/fusion/forecast-fusion.ts': { count: 1, why: 'snapshot restore: caught per series, which starts fresh' },
  'src/domain/incidents/incident-grouper.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/domain/series-registry.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/domain/tick-fields.ts': { count: 1, why: 'field paths the config loader refused first (tickFieldProblems)' },
  'src/domain/window-series-state.ts': { count: 1, why: 'snapshot restore: caught per series, which starts fresh' },
  'src/eval/backtest.ts': { count: 1, why: 'invariant: a predictor answering with the wrong shape' },
  'src/eval/linear-baseline.ts': { count: 2, why: 'invariant (input shape); a singular system the ridge floor (1e-9) prevents — the message says what to do' },
  'src/eval/metrics.ts': { count: 3, why: 'invariants of the metric functions' },
  'src/eval/png.ts': { count: 1, why: 'invariant: pixel buffer size' },
  'src/eval/residual-cycle.ts': { count: 2, why: 'invariants: the caller picks period and training rows' },
  'src/model/adam.ts': { count: 2, why: 'invariants of the optimiser' },
  'src/model/artifact.ts': { count: 1, why: 'invariant: a config saved in resolved form' },
  'src/model/checkpoints.ts': { count: 1, why: 'invariant: remove() is given a version label it listed' },
  'src/model/finetune/worker.ts': { count: 6, why: 'inside the trainer process: invariants of the host protocol, and a stopped round (code ABORTED, which worker-client.ts carries as TC_INTERNAL with details.workerCode; round-report.ts reads it)' },
  'src/model/lstm-fast.ts': { count: 1, why: 'invariant: one backward pass per forward pass' },
  'src/model/onnx/graph-builder.ts': { count: 2, why: 'invariants of the ONNX export' },
  'src/model/shared-dir/lease.ts': { count: 1, why: 'a damaged lease record: caught at once, read as a lapsed lease (a TTL after the file\'s mtime)' },
  'src/model/stored-graph.ts': { count: 1, why: 'a damaged manifest of a stored ONNX graph. To review: where it surfaces' },
  'src/pipeline/alert-index.ts': { count: 1, why: 'constructor argument, validated by the config schema' },
  'src/pipeline/snapshot/codec.ts': { count: 1, why: 'decode wraps it in TC_SNAPSHOT_CORRUPT' },
  'src/pipeline/snapshot/file-store.ts': { count: 1, why: 'a short write: logged with TC_SNAPSHOT_WRITE_FAILED (write-log.ts)' },
  'src/pipeline/snapshot/plain-state.ts': { count: 1, why: 'snapshot restore (fillFrom): caught per series, which starts fresh' },
};

// Every form src/ uses: `throw new Error(`, `throw Object.assign(new Error(…), { code })`, `throw Error(`,
// `reject(new Error(` / `Promise.reject(` with the error on the next line. Matched over the whole
// file, not line by line (until 7 Dec 2026 a line-by-line match missed the last two forms).
const PLAIN = /(?:\bthrow\s+(?:Object\.assign\(\s*)?|\breject\(\s*)(?:new\s+)?(?:Range|Type|Syntax)?Error\(/g;

/** Each plain throw in `text` as `file:line: code`. */
export function plainThrows(file: string, text: string): string[] {
  const lines = text.split('\n');
  return [...text.matchAll(PLAIN)].map((m) => {
    const line = text.slice(0, m.index).split('\n').length;
    return `${file}:${line}: ${lines[line - 1].trim().slice(0, 120)}`;
  });
}

test('the scan sees every form of a plain throw, one per throw', () => {
  const forms = [
    "throw new Error('a');",
    "throw new RangeError('a');",
    "throw Error('a');",
    "throw Object.assign(new Error('a'), { code: 'X' });",
    "return Promise.reject(new TypeError('a'));",
    "return Promise.reject(\n  new Error('a'),\n);",
    "if (x) throw new Error('a'); else throw new Error('b');",
  ];
  assert.deepEqual(forms.map((f) => plainThrows('f.ts', f).length), [1, 1, 1, 1, 1, 1, 2]);
  assert.deepEqual(plainThrows('f.ts', "throw new TickcastError(ErrorCodes.INTERNAL, 'a');\nthrow refuse(new Error('a'));\nconst x = 1;"), []);
});

test('plain Error throws in src/ are only the listed ones (anything that reaches a user or a log carries a code)', () => {
  const found: Record<string, string[]> = {};
  for (const file of listFiles('src', (n) => n.endsWith('.ts'))) {
    const lines = plainThrows(file, read(file));
    if (lines.length > 0) found[file] = lines;
  }
  const problems: string[] = [];
  for (const [file, lines] of Object.entries(found)) {
    const allowed = ALLOWED[file]?.count ?? 0;
    if (lines.length > allowed) problems.push(`${lines.length - allowed} more plain throw(s) than allowed (${allowed}) in ${file}: give them a code (TickcastError, src/errors/catalogue.ts) or list them in this test with why they reach no one:\n    ${lines.join('\n    ')}`);
  }
  for (const [file, a] of Object.entries(ALLOWED)) {
    const n = found[file]?.length ?? 0;
    if (n < a.count) problems.push(`${file} has ${n} plain throw(s), the list allows ${a.count}: lower its count here`);
  }
  assert.deepEqual(problems, []);
});
