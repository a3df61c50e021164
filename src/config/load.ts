/**
 * Load configuration once: defaults → YAML file → environment. All problems are reported
 * together in one TC_CONFIG_INVALID error; the result is deep-frozen.
 *
 * Environment names are derived from the schema paths: `kafka.brokers` ↔ TICKCAST_KAFKA_BROKERS,
 * `batching.maxWaitMs` ↔ TICKCAST_BATCHING_MAX_WAIT_MS. Arrays are comma-separated. Any variable
 * may instead be given as `<NAME>_FILE` pointing to a file whose trimmed content is the value
 * (the Kubernetes secret convention). `KAFKA_BROKERS` and `KAFKA_BOOTSTRAP_SERVERS` are honoured as
 * aliases, and OpenTelemetry's standard variables (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) as described in ./otel-env.ts.
 */
import { readFileSync } from 'node:fs';
import type { ZodIssue } from 'zod';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { readApiKeysFile } from './api-keys-file.ts';
import { readConfigFile } from './config-file.ts';
import { crossFieldProblems } from './cross-field.ts';
import { envName } from './env-name.ts';
import { fileErrorReason } from '../domain/file-error-reason.ts';
import { fileProblems } from './file-checks.ts';
import { otelEnv, tracingRuns } from './otel-env.ts';
import { closest, describeIssue, invalidPaths, ordinal, type KeyIndex } from './problems.ts';
import { unusedClassicSettings } from './kafka-security.ts';
import { configObject, type Config, type ConfigInput } from './schema.ts';
import { unitHint } from './type-problems.ts';

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'number[]' | 'map';

/** Keys with no default (optional), which the defaults walk cannot see. */
const OPTIONAL_KEYS: Array<[string, Kind]> = [
  ['input.targets', 'string[]'],
  ['kafka.transactionalId', 'string'],
  ['anomaly.warningThreshold', 'number'],
  ['anomaly.criticalThreshold', 'number'],
  ['anomaly.debounceN', 'number'],
  ['anomaly.debounceM', 'number'],
  ['anomaly.cooldownMs', 'number'],
  ['anomaly.staleFeatureMs', 'number'],
  ['anomaly.gapFactor', 'number'],
  ['anomaly.recentRangeTicks', 'number'],
  ['anomaly.longCycleMaxPeriod', 'number'],
  ['anomaly.longCycleTimeZone', 'string'],
  ['anomaly.longCycleTimeZones', 'map'],
  ['kafka.sasl.mechanism', 'string'],
  ['kafka.sasl.username', 'string'],
  ['kafka.sasl.password', 'string'],
  ['kafka.properties', 'map'],
  ['input.fields.features', 'map'],
];

const ALIASES: Record<string, string> = {
  KAFKA_BROKERS: 'kafka.brokers',
  KAFKA_BOOTSTRAP_SERVERS: 'kafka.brokers',
  TICKCAST_CONFIG_FILE: '',
};

/**
 * TICKCAST_* variables that are not settings: read by the build, the tests, the benchmarks and the
 * native addon (which reads its two in the service's own process), never by the service's config.
 * The unknown-variable check lets these through, so a shell that sets one (the docs tell users to)
 * still starts the service; anything else under TICKCAST_ is a typo or a removed setting and is
 * refused. Name → what reads it (docs/configuration.md lists them, from here). A tool that reads a
 * new TICKCAST_ variable adds it here.
 */
export const NON_CONFIG_VARIABLES: Readonly<Record<string, string>> = {
  TICKCAST_NATIVE_BLAS: 'native kernel addon (native/kernels/src/gemm.c), at load: "0" skips OpenBLAS for the built-in product loop',
  TICKCAST_NATIVE_AVX512: 'native kernel addon (native/kernels/src/gemm.c), at load: "0" keeps the 8-lane blocks on an AVX-512 CPU',
  TICKCAST_SKIP_NATIVE: 'scripts/native/build.mjs (npm ci postinstall): "1" skips building the native addon',
  TICKCAST_SKIP_KAFKA_CLIENT: 'scripts/kafka-client/ensure.mjs (npm ci postinstall): "1" skips the Kafka client check and build',
  TICKCAST_KAFKA_CLIENT_NESTED: 'scripts/kafka-client/ensure.mjs: set by itself for the nested install it runs',
  TICKCAST_REAL_NODE_GYP: 'scripts/kafka-client/build.sh: the node-gyp to use when it is not next to npm',
  TICKCAST_CACHE_DIR: 'scripts/kafka-client/build.sh, scripts/broker/build.sh: build cache (default ~/.cache/tickcast)',
  TICKCAST_BROKER_BIN: 'test/helpers/broker.ts: the local test broker binary (set by scripts/test.mjs)',
  TICKCAST_CHAOS: 'scripts/test.mjs (npm test): "0" leaves the chaos tests out',
  TICKCAST_TEST_FILE_TIMEOUT_S: 'scripts/test.mjs (npm test): seconds a test file may run before scripts/test-watchdog.mjs kills it (default 720)',
  TICKCAST_TEST_LOGS: 'test/helpers/app.ts: any value shows the service logs of component tests',
  TICKCAST_ETT_DIR: 'load/bench-accuracy.ts, load/zeroshot-ett.ts, load/sweep-patch.ts: folder holding ETTh1.csv',
  TICKCAST_M4_DIR: 'load/bench-m4.ts, load/m4-ensemble.ts: folder of the M4 data',
  TICKCAST_PYTHON: 'load/bench-train.ts: a Python that imports torch',
};

export { envName };

/** Every configurable key with its value kind, derived from the schema's defaults. */
export function configKeys(): Array<{ path: string; kind: Kind; env: string }> {
  const out: Array<{ path: string; kind: Kind; env: string }> = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (Array.isArray(v)) out.push({ path, kind: typeof v[0] === 'number' ? 'number[]' : 'string[]', env: envName(path) });
      else if (OPTIONAL_KEYS.some(([p]) => p === path)) continue;
      else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, path);
      else out.push({ path, kind: typeof v as Kind, env: envName(path) });
    }
  };
  walk(configObject.parse({}) as unknown as Record<string, unknown>, '');
  for (const [path, kind] of OPTIONAL_KEYS) out.push({ path, kind, env: envName(path) });
  return out;
}

/** What coerce returns for a value it reported: the key is left unset, so it is reported once. */
const REPORTED = Symbol('reported');

function coerce(raw: string, kind: Kind, name: string, problems: string[]): unknown {
  const s = raw.trim();
  switch (kind) {
    case 'string':
      return s;
    case 'number': {
      const n = Number(s);
      if (s !== '' && Number.isFinite(n)) return n;
      problems.push(`${name}: expected a number; got "${s}"${unitHint(name, s)}`);
      return REPORTED;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(s)) return true;
      if (/^(false|0|no|off)$/i.test(s)) return false;
      problems.push(`${name}: expected true or false; got "${s}"`);
      return REPORTED;
    case 'string[]':
      return parseList(s);
    case 'number[]': {
      if (s === '') return [];
      const parts = s.split(',').map((x) => x.trim());
      const bad = parts.map((x, i) => [x, i] as const).filter(([x]) => x === '' || !Number.isFinite(Number(x)));
      for (const [x, i] of bad) problems.push(`${name}: the ${ordinal(i + 1)} element, "${x}", is not a number`);
      return bad.length > 0 ? REPORTED : parts.map(Number);
    }
    case 'map': {
      // "key=value,key=value" (values may not contain commas; use the YAML file for those).
      const out: Record<string, string> = {};
      let ok = true;
      for (const pair of s.split(',').map((x) => x.trim()).filter(Boolean)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          problems.push(`${name}: expected key=value pairs separated by commas; got "${pair}"`);
          ok = false;
        } else out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      return ok ? out : REPORTED;
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/** The keys a `string[]` setting's text holds: comma-separated, trimmed, empty ones dropped. */
export function parseList(s: string): string[] {
  return s === '' ? [] : s.split(',').map((x) => x.trim()).filter(Boolean);
}

/** The variable's value, or the trimmed content of the file its `_FILE` twin names (`path`: the key it sets). */
function readEnvValue(env: NodeJS.ProcessEnv, name: string, path: string, problems: string[]): string | undefined {
  const fileName = `${name}_FILE`;
  if (env[fileName] !== undefined && env[fileName] !== '') {
    try {
      return readFileSync(env[fileName]!, 'utf8').trim();
    } catch (err) {
      problems.push(`${fileName} (${path}): cannot read ${JSON.stringify(env[fileName])} (${fileErrorReason(err)})`);
      return undefined;
    }
  }
  return env[name];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Values layered over file and env (used by tests and the CLI). */
  overrides?: ConfigInput;
  file?: string;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  let input: Record<string, unknown> = {};

  const file = opts.file ?? env.TICKCAST_CONFIG_FILE;
  if (file) input = readConfigFile(file, opts.file === undefined ? 'TICKCAST_CONFIG_FILE' : 'config file', problems);

  const fromEnv: Record<string, unknown> = {};
  const keys = configKeys();
  const known = new Set<string>([...Object.keys(ALIASES), ...Object.keys(NON_CONFIG_VARIABLES)]);
  for (const { path, kind, env: name } of keys) {
    known.add(name);
    known.add(`${name}_FILE`);
    const raw = readEnvValue(env, name, path, problems);
    const value = raw === undefined ? REPORTED : coerce(raw, kind, name, problems);
    if (value !== REPORTED) setPath(fromEnv, path, value);
  }
  const aliased = new Set<string>();
  for (const [alias, path] of Object.entries(ALIASES)) {
    if (!path || env[alias] === undefined) continue;
    const kind = keys.find((k) => k.path === path)!.kind;
    const already = keys.find((k) => k.path === path)!.env;
    // The TICKCAST_ name wins over aliases; among aliases the first listed (KAFKA_BROKERS) wins.
    const value = env[already] === undefined && !aliased.has(path) ? coerce(env[alias]!, kind, alias, problems) : REPORTED;
    if (value !== REPORTED) setPath(fromEnv, path, value);
    aliased.add(path);
  }
  // Neither a setting, an alias nor one of NON_CONFIG_VARIABLES: a typo or a removed setting.
  for (const name of Object.keys(env)) {
    if (!name.startsWith('TICKCAST_') || known.has(name)) continue;
    const near = closest(name, known);
    problems.push(`${name}: unknown setting${near ? `; did you mean ${near}?` : ' (see docs/configuration.md)'}`);
  }

  // OpenTelemetry's standard variables sit between the file and TICKCAST_* (src/config/otel-env.ts).
  const otel = otelEnv(env);
  problems.push(...otel.problems);
  input = merge(merge(merge(input, otel.input), fromEnv), (opts.overrides ?? {}) as Record<string, unknown>);
  if (tracingRuns(input, env)) problems.push(...otel.tracingProblems);
  readApiKeysFile(input, env, problems, parseList);
  problems.push(...validate(input, keyIndex(keys)));
  if (problems.length === 0) return deepFreeze(configObject.parse(input)) as Config;
  throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
    details: { problems },
  });
}

/** The index of settable keys that problem messages are written from. */
function keyIndex(keys: ReturnType<typeof configKeys>): KeyIndex {
  const env = new Map(keys.map((k) => [k.path, k.env]));
  return {
    env,
    children: (parent) => [...new Set(keys.filter((k) => !parent || k.path.startsWith(`${parent}.`)).map((k) => k.path.slice(parent ? parent.length + 1 : 0).split('.')[0]))],
  };
}

function deletePath(target: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  let cur: unknown = target;
  for (const p of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur !== null && typeof cur === 'object') delete (cur as Record<string, unknown>)[parts[parts.length - 1]];
}

/**
 * Every problem of the merged input: the schema's, then the cross-field checks and the files the
 * config names (./file-checks.ts). When some keys are invalid they are dropped (their defaults stand in) so the other
 * checks still run; a cross-field check that reads a dropped key is skipped.
 */
function validate(input: Record<string, unknown>, keys: KeyIndex): string[] {
  const first = configObject.safeParse(input);
  const valueAt = (path: ReadonlyArray<string | number>) => path.reduce<unknown>((cur, p) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined), input);
  const problems = first.success ? [] : first.error.issues.flatMap((i) => describeIssue(i, keys, valueAt));
  const invalid: string[] = [];
  let result = first;
  for (let round = 0; !result.success && round < 4; round++) {
    invalid.push(...result.error.issues.flatMap((i: ZodIssue) => invalidPaths(i, keys)));
    const rest = structuredClone(input);
    for (const p of invalid) deletePath(rest, p);
    result = configObject.safeParse(rest);
  }
  if (!result.success) return problems;
  for (const p of crossFieldProblems(result.data, invalid)) problems.push(...describeIssue({ code: 'custom', path: p.path, message: p.message }, keys));
  const given = (input.kafka ?? {}) as Record<string, unknown>;
  for (const p of unusedClassicSettings(given, result.data.kafka.properties)) problems.push(...describeIssue({ code: 'custom', path: p.path, message: p.message }, keys));
  problems.push(...fileProblems(result.data, keys, invalid));
  return problems;
}

export type { Config };
