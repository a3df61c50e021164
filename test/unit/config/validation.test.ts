import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.ts';
import { MAX_WINDOW_LENGTH } from '../../../src/config/schema/stream.ts';
import { HTTP_DEFAULTS } from '../../../src/adapters/http/config.ts';
import { ATTENTION_HEADS } from '../../../src/config/schema/model.ts';
import { DEFAULT_HYBRID_CONFIG } from '../../../src/model/config.ts';

/** The problem lines of a refused config (TC_CONFIG_INVALID, which main.ts exits 78 on). */
function problems(opts: Parameters<typeof loadConfig>[0]): string[] {
  try {
    loadConfig(opts);
  } catch (err) {
    const e = err as { code: string; details: { problems: string[] } };
    assert.equal(e.code, 'TC_CONFIG_INVALID');
    return e.details.problems;
  }
  return assert.fail('the config was accepted');
}

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tc-cfg-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
}

test('unknown keys inside sections of the YAML file are refused, with the key path and the near key', () => {
  const file = yamlFile('windows:\n  lenght: 32\n  stride: 2\nbatching: { maxBatchSize: 128, bogusKey: 1 }\nkafka:\n  sasl: { mechanism: plain, usrname: u, password: p }\nmodel:\n  max_batch_size: 1\n');
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: file } }), [
    'kafka.sasl.usrname: unknown key; did you mean "username" (kafka.sasl.username)?',
    'windows.lenght: unknown key; did you mean "length" (windows.length)?',
    'batching.bogusKey: unknown key (see docs/configuration.md)',
    'model.max_batch_size: unknown key (see docs/configuration.md)',
  ]);
  assert.deepEqual(problems({ env: {}, overrides: { foo: 1, batching: { maxbatchsize: 1 } } as never }), [
    'batching.maxbatchsize: unknown key; did you mean "maxBatchSize" (batching.maxBatchSize)?',
    'foo: unknown key (see docs/configuration.md)',
  ]);
  // Maps keep their free keys.
  const ok = loadConfig({ env: { TICKCAST_CONFIG_FILE: yamlFile('kafka:\n  properties: { linger.ms: 5 }\nanomaly:\n  longCycleTimeZones: { "in/": Asia/Kolkata }\n') } });
  assert.equal(ok.kafka.properties['linger.ms'], 5);
});

test('an unknown TICKCAST_ variable names the known one it most likely meant', () => {
  assert.deepEqual(problems({ env: { TICKCAST_WINDOWS_LENGHT: '32' } }), ['TICKCAST_WINDOWS_LENGHT: unknown setting; did you mean TICKCAST_WINDOWS_LENGTH?']);
});

test('windows.length is bounded by what POST /v1/predict takes; numbers past what the service runs with are refused', () => {
  assert.equal(MAX_WINDOW_LENGTH, HTTP_DEFAULTS.maxWindowLength, 'windows.length and the REST window limit agree');
  assert.equal(loadConfig({ env: { TICKCAST_WINDOWS_LENGTH: String(MAX_WINDOW_LENGTH) } }).windows.length, MAX_WINDOW_LENGTH);
  for (const v of ['4097', '20000', '1e300']) {
    const p = problems({ env: { TICKCAST_WINDOWS_LENGTH: v } });
    assert.equal(p.length, 1);
    assert.match(p[0], /^windows\.length \(TICKCAST_WINDOWS_LENGTH\): must be at most 4096/);
  }
  const env = {
    TICKCAST_MODEL_HORIZON: '5000',
    TICKCAST_SNAPSHOTS_INTERVAL_MS: '2147483648',
    TICKCAST_BATCHING_MAX_WAIT_MS: '1e12',
    TICKCAST_SHUTDOWN_GRACE_MS: '3000000000',
    TICKCAST_FINETUNE_INTERVAL_MS: '3000000000',
    TICKCAST_MODEL_ONNX_CALL_TIMEOUT_MS: '3000000000',
    TICKCAST_KAFKA_LAG_INTERVAL_MS: '3000000000',
    TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '4000000',
    TICKCAST_KAFKA_FETCH_MAX_WAIT_MS: '400000',
    TICKCAST_BAND_QUALITY_WINDOW_TICKS: '1e9',
    TICKCAST_ANOMALY_DEBOUNCE_M: '33',
    TICKCAST_FINETUNE_STEPS: '5000', // a round takes at most 1,000 (it was clamped silently)
  };
  const p = problems({ env });
  for (const name of Object.keys(env)) assert.ok(p.some((l) => l.includes(`(${name})`)), `${name} not reported: ${p.join('\n')}`);
  assert.equal(p.length, Object.keys(env).length, p.join('\n'));
});

test('model.dModel must split evenly among the attention heads: refused at load, not by the model once the service has started', () => {
  assert.equal(ATTENTION_HEADS, DEFAULT_HYBRID_CONFIG.transformer.heads, 'the config checks the heads the model has');
  assert.deepEqual(problems({ env: { TICKCAST_MODEL_D_MODEL: '30' } }), ['model.dModel (TICKCAST_MODEL_D_MODEL): must be a multiple of 4 (the Transformer\'s attention heads)']);
  assert.equal(loadConfig({ env: { TICKCAST_MODEL_D_MODEL: '48' } }).model.dModel, 48);
});

test('a bad element of a list names the variable and the element in words; a bad number is reported once', () => {
  assert.deepEqual(problems({ env: { TICKCAST_MODEL_QUANTILES: '0.1,abc' } }), ['TICKCAST_MODEL_QUANTILES: the 2nd element, "abc", is not a number']);
  assert.deepEqual(problems({ env: { TICKCAST_WINDOWS_LENGTH: 'abc' } }), ['TICKCAST_WINDOWS_LENGTH: expected a number; got "abc"']);
  assert.deepEqual(problems({ env: { TICKCAST_MODEL_QUANTILES: '0.1,0.5,1.5' } }), ['model.quantiles (TICKCAST_MODEL_QUANTILES, 3rd element): Number must be less than 1']);
  const file = yamlFile('model:\n  quantiles: [0.1, 0.5, abc]\n');
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: file } }), ['model.quantiles (TICKCAST_MODEL_QUANTILES, 3rd element): expected a number; got the string "abc"']);
});

// Until 6 Dec 2026 the YAML file's wrong types were zod's words ("Expected number, received string"),
// naming neither the value nor what to write, and a duration with a unit was refused without the
// number it meant; a config file that could not be read was Node's bare "ENOENT: …, open '…'".
test('a wrong type quotes the value that came and what to write: units, quotes, lists', () => {
  const file = yamlFile('anomaly:\n  cooldownMs: 30m\nhttp:\n  port: "8081"\n  bodyLimitBytes: 2MiB\nmodel:\n  horizon: 12.5\ninput:\n  features: price,volume\n');
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: file } }), [
    'input.features (TICKCAST_INPUT_FEATURES): expected a list (YAML `[a, b]` or one `- a` line each; only the environment variable is comma-separated); got the string "price,volume"',
    'model.horizon (TICKCAST_MODEL_HORIZON): expected a whole number; got the number 12.5',
    'anomaly.cooldownMs (TICKCAST_ANOMALY_COOLDOWN_MS): expected a number; got the string "30m"; write milliseconds as a plain number: "30m" is 1800000',
    'http.port (TICKCAST_HTTP_PORT): expected a number; got the string "8081"; write 8081 without quotes',
    'http.bodyLimitBytes (TICKCAST_HTTP_BODY_LIMIT_BYTES): expected a number; got the string "2MiB"; write bytes as a plain number: "2MiB" is 2097152',
  ]);
  // A value outside a list of choices: the choices, the value, and the near one (zod's own words before).
  assert.deepEqual(problems({ env: { TICKCAST_LOG_LEVEL: 'verbose', TICKCAST_KAFKA_DELIVERY: 'exactly_once' } }), [
    'logLevel (TICKCAST_LOG_LEVEL): must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"; got "verbose"',
    'kafka.delivery (TICKCAST_KAFKA_DELIVERY): must be one of "at-least-once", "exactly-once"; got "exactly_once"; did you mean "exactly-once"?',
  ]);
  assert.deepEqual(problems({ env: { TICKCAST_BATCHING_MAX_WAIT_MS: '5s', TICKCAST_WINDOWS_LENGTH: '64s' } }), [
    'TICKCAST_WINDOWS_LENGTH: expected a number; got "64s"',
    'TICKCAST_BATCHING_MAX_WAIT_MS: expected a number; got "5s"; write milliseconds as a plain number: "5s" is 5000',
  ]);
});

test('a config file that cannot be read or parsed names TICKCAST_CONFIG_FILE and the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-cfg-'));
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: join(dir, 'nope.yaml') } }), [`TICKCAST_CONFIG_FILE: cannot read "${join(dir, 'nope.yaml')}" (no such file)`]);
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: dir } }), [`TICKCAST_CONFIG_FILE: cannot read "${dir}" (is a directory)`]);
  const bad = yamlFile('batching: [1,2\n');
  assert.match(problems({ env: { TICKCAST_CONFIG_FILE: bad } })[0], /^TICKCAST_CONFIG_FILE ".*c\.yaml": not valid YAML: .*line 2, column 1$/);
  const list = yamlFile('- batching\n');
  assert.deepEqual(problems({ env: { TICKCAST_CONFIG_FILE: list } }), [`TICKCAST_CONFIG_FILE "${list}": the top level must be a mapping of sections (e.g. "batching: { maxBatchSize: 128 }")`]);
});

test('cross-field checks run even when other keys are invalid: every problem is reported together', () => {
  const p = problems({ env: { TICKCAST_HTTP_PORT: 'eighty', TICKCAST_BATCHING_MAX_BATCH_SIZE: '0', TICKCAST_INPUT_FEATURES: 'a', TICKCAST_INPUT_TARGETS: 'b', TICKCAST_INPUT_NON_NEGATIVE: 'a,c', TICKCAST_KAFKA_DELIVERY: 'exactly-once' } });
  assert.deepEqual(p, [
    'TICKCAST_HTTP_PORT: expected a number; got "eighty"',
    'batching.maxBatchSize (TICKCAST_BATCHING_MAX_BATCH_SIZE): Number must be greater than 0',
    'input.targets (TICKCAST_INPUT_TARGETS): target "b" is not one of input.features (a)',
    'input.nonNegative (TICKCAST_INPUT_NON_NEGATIVE): "c" is not one of input.features (a)',
    'kafka.transactionalId (TICKCAST_KAFKA_TRANSACTIONAL_ID): is required when kafka.delivery is "exactly-once"',
  ]);
  // A check that reads an invalid key is skipped (it would judge a default the user did not choose).
  assert.deepEqual(problems({ env: { TICKCAST_BATCHING_LOW_WATER_MARK: '-1', TICKCAST_BATCHING_HIGH_WATER_MARK: '5' } }), ['batching.lowWaterMark (TICKCAST_BATCHING_LOW_WATER_MARK): Number must be greater than or equal to 0']);
  // Unset detector settings are its defaults (warning 0.4, critical 0.7, debounce 1 of 1), checked here, not at start.
  assert.match(problems({ env: { TICKCAST_ANOMALY_WARNING_THRESHOLD: '0.8' } }).join('\n'), /anomaly\.warningThreshold .*must not exceed anomaly\.criticalThreshold \(unset: the detector's 0\.7\)/);
  assert.match(problems({ env: { TICKCAST_ANOMALY_DEBOUNCE_N: '3' } }).join('\n'), /anomaly\.debounceN .*must not exceed anomaly\.debounceM \(unset: the detector's 1\)/);
  assert.match(problems({ env: { TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '30000' } }).join('\n'), /kafka\.heartbeatIntervalMs .*must be below kafka\.sessionTimeoutMs/);
  assert.match(problems({ env: { TICKCAST_MODEL_PATCH_LENGTH: '4', TICKCAST_MODEL_PATCH_STRIDE: '8' } }).join('\n'), /model\.patchStride .*must not exceed model\.patchLength/);
  // A replay buffer whose recent half cannot hold a round's hold-out and two batches never starts a round (silently, before).
  assert.match(problems({ env: { TICKCAST_FINETUNE_ENABLED: 'true', TICKCAST_FINETUNE_REPLAY_CAPACITY: '500' } }).join('\n'), /finetune\.replayCapacity .*must be at least 527 with finetune\.minSamples 200/);
  assert.match(problems({ env: { TICKCAST_FINETUNE_ENABLED: 'true', TICKCAST_FINETUNE_REPLAY_CAPACITY: '1000', TICKCAST_FINETUNE_MIN_SAMPLES: '600' } }).join('\n'), /finetune\.replayCapacity .*must be at least 1151 with finetune\.minSamples 600/);
  assert.equal(loadConfig({ env: { TICKCAST_FINETUNE_ENABLED: 'true', TICKCAST_FINETUNE_REPLAY_CAPACITY: '527' } }).finetune.replayCapacity, 527);
  assert.equal(loadConfig({ env: { TICKCAST_FINETUNE_REPLAY_CAPACITY: '500' } }).finetune.replayCapacity, 500, 'fine-tuning off: the buffer is not used');
});

test('http.requireAuthForReads without any API key is refused at load, with the other problems, naming both variables', () => {
  // docs/http-api.md § Authentication: "empty | true | config error at startup (nobody could read)".
  // Until 7 Dec 2026 the loader took it; the HTTP adapter refused it only once the model had loaded,
  // on its own ("invalid HTTP config"), so a second problem in the same config was not reported.
  assert.deepEqual(problems({ env: { TICKCAST_HTTP_REQUIRE_AUTH_FOR_READS: 'true', TICKCAST_WINDOWS_LENGHT: '32' } }), [
    'TICKCAST_WINDOWS_LENGHT: unknown setting; did you mean TICKCAST_WINDOWS_LENGTH?',
    'http.requireAuthForReads (TICKCAST_HTTP_REQUIRE_AUTH_FOR_READS): is true but http.apiKeys (TICKCAST_HTTP_API_KEYS, or a file: TICKCAST_HTTP_API_KEYS_FILE) holds no key: nobody could read; configure at least one key',
  ]);
  assert.equal(loadConfig({ env: { TICKCAST_HTTP_REQUIRE_AUTH_FOR_READS: 'true', TICKCAST_HTTP_API_KEYS: '0123456789abcdef0123' } }).http.requireAuthForReads, true);
  const keys = join(mkdtempSync(join(tmpdir(), 'tc-cfg-')), 'keys');
  writeFileSync(keys, '0123456789abcdef0123\n');
  assert.equal(loadConfig({ env: { TICKCAST_HTTP_REQUIRE_AUTH_FOR_READS: 'true', TICKCAST_HTTP_API_KEYS_FILE: keys } }).http.apiKeys.length, 1, 'keys from a file count');
  assert.equal(loadConfig({ env: {}, overrides: { http: { requireAuthForReads: true, apiKeysFile: keys } } }).http.apiKeys.length, 1, 'and from http.apiKeysFile in the YAML file');
});

test('embedded.dataFile must name a readable file at load', () => {
  assert.deepEqual(problems({ env: { TICKCAST_EMBEDDED_DATA_FILE: '/nonexistent/ticks.csv' } }), ['embedded.dataFile (TICKCAST_EMBEDDED_DATA_FILE): cannot read "/nonexistent/ticks.csv" (no such file)']);
  assert.deepEqual(problems({ env: { TICKCAST_EMBEDDED_DATA_FILE: tmpdir() } }), [`embedded.dataFile (TICKCAST_EMBEDDED_DATA_FILE): "${tmpdir()}" is not a file`]);
  const csv = join(mkdtempSync(join(tmpdir(), 'tc-cfg-')), 'd.csv');
  writeFileSync(csv, 'timestamp,value\n2024-01-01 00:00:00,1\n');
  assert.equal(loadConfig({ env: { TICKCAST_EMBEDDED_DATA_FILE: csv } }).embedded.dataFile, csv);
});

test('finetune.watchTimeoutMs: 10 min by default, a positive timer (0 or past a Node timer refused)', () => {
  assert.equal(loadConfig({ env: {} }).finetune.watchTimeoutMs, 600_000);
  assert.equal(loadConfig({ env: { TICKCAST_FINETUNE_WATCH_TIMEOUT_MS: '120000' } }).finetune.watchTimeoutMs, 120_000);
  assert.ok(problems({ env: { TICKCAST_FINETUNE_WATCH_TIMEOUT_MS: '0' } }).some((p) => p.includes('finetune.watchTimeoutMs')));
  assert.ok(problems({ env: { TICKCAST_FINETUNE_WATCH_TIMEOUT_MS: '2147483648' } }).some((p) => p.includes('finetune.watchTimeoutMs')));
});

test('feature names every JavaScript object has, and a name listed twice, are refused (issue 13: alerts per feature keyed by name)', () => {
  // Before: accepted; an alert on "toString" or "constructor" threw in TickAlerts (entry.open[feature]
  // read Object.prototype's member), "__proto__" set Object.prototype.ts/value, and a feature listed
  // twice was scored twice per tick with anomaly.features: all.
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FEATURES: 'cpu,toString,__proto__,constructor', TICKCAST_INPUT_TARGETS: 'cpu,valueOf' } }), [
    'input.features (TICKCAST_INPUT_FEATURES): "toString" is reserved (every JavaScript object has a member of that name); rename the feature',
    'input.features (TICKCAST_INPUT_FEATURES): "__proto__" is reserved (every JavaScript object has a member of that name); rename the feature',
    'input.features (TICKCAST_INPUT_FEATURES): "constructor" is reserved (every JavaScript object has a member of that name); rename the feature',
    'input.targets (TICKCAST_INPUT_TARGETS): "valueOf" is reserved (every JavaScript object has a member of that name); rename the feature',
    'input.targets (TICKCAST_INPUT_TARGETS): target "valueOf" is not one of input.features (cpu, toString, __proto__, constructor)',
  ]);
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FEATURES: 'cpu,mem,cpu', TICKCAST_INPUT_TARGETS: 'mem,mem' } }), [
    'input.features (TICKCAST_INPUT_FEATURES): "cpu" is listed twice',
    'input.targets (TICKCAST_INPUT_TARGETS): "mem" is listed twice',
  ]);
  // Quotes, spaces, backslashes and markup stay allowed: JSON, Prometheus and the dashboard escape them.
  assert.deepEqual(loadConfig({ env: { TICKCAST_INPUT_FEATURES: 'cpu,a b"\\</x>', TICKCAST_INPUT_TARGETS: 'cpu' } }).input.features, ['cpu', 'a b"\\</x>']);
});

test('input.fields (since 7 Dec 2026): device payloads under their own names, set by env; names a record could not tell apart are refused at load', () => {
  const c = loadConfig({ env: { TICKCAST_INPUT_FIELDS_SERIES: 'device_id', TICKCAST_INPUT_FIELDS_TS: 'timestamp', TICKCAST_INPUT_FIELDS_VALUES: '', TICKCAST_INPUT_FEATURES: 'temperature,humidity' } });
  assert.deepEqual(c.input.fields, { series: 'device_id', ts: 'timestamp', values: '' });
  assert.deepEqual(loadConfig({ env: {} }).input.fields, { series: 'series', ts: 'ts', values: 'values' }, 'the documented shape by default');
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FIELDS_SERIES: 'id', TICKCAST_INPUT_FIELDS_TS: 'id' } }), [
    'input.fields.ts (TICKCAST_INPUT_FIELDS_TS): input.fields.series and input.fields.ts are both "id": a record could not say which is which',
  ]);
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FIELDS_VALUES: '', TICKCAST_INPUT_FEATURES: 'temp,ts' } }), [
    'input.fields.values (TICKCAST_INPUT_FIELDS_VALUES): feature "ts" is also input.fields.ts, and input.fields.values "" reads features at the record\'s top level: rename one',
  ]);
  assert.ok(problems({ env: { TICKCAST_INPUT_FIELDS_SERIES: '' } }).some((p) => p.startsWith('input.fields.series (TICKCAST_INPUT_FIELDS_SERIES)')));
});

test('input.tsUnit (since 7 Dec 2026): epoch seconds in the topic\'s records, set by env; ms by default; other units refused at load', () => {
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_TS_UNIT: 's' } }).input.tsUnit, 's');
  assert.equal(loadConfig({ env: {} }).input.tsUnit, 'ms', 'unchanged by default');
  const refused = problems({ env: { TICKCAST_INPUT_TS_UNIT: 'us' } });
  assert.equal(refused.length, 1, refused.join('\n'));
  assert.equal(refused[0], 'input.tsUnit (TICKCAST_INPUT_TS_UNIT): must be one of "ms", "s", "auto"; got "us"; did you mean "ms"?');
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_TS_UNIT: 'auto' } }).input.tsUnit, 'auto', 'since 7 Dec 2026: seconds or ms by size');
});

test('input.missingTs (since 7 Dec 2026): "kafka" by env; reject by default; anything else refused at load', () => {
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_MISSING_TS: 'kafka' } }).input.missingTs, 'kafka');
  assert.equal(loadConfig({ env: {} }).input.missingTs, 'reject', 'unchanged by default');
  const refused = problems({ env: { TICKCAST_INPUT_MISSING_TS: '@kafka' } });
  assert.equal(refused.length, 1, refused.join('\n'));
  assert.match(refused[0], /^input\.missingTs \(TICKCAST_INPUT_MISSING_TS\): must be one of "reject", "kafka"; got "@kafka"/);
});

// Since 7 Dec 2026 input.fields are paths; before, "state.reported" was one top-level key of that name.
test('input.fields paths: an AWS IoT shadow by env; a malformed path, or a series holding another part, refused at load with the fix', () => {
  const c = loadConfig({ env: { TICKCAST_INPUT_FIELDS_SERIES: 'clientToken', TICKCAST_INPUT_FIELDS_TS: 'timestamp', TICKCAST_INPUT_FIELDS_VALUES: 'state.reported', TICKCAST_INPUT_TS_UNIT: 's' } });
  assert.deepEqual(c.input.fields, { series: 'clientToken', ts: 'timestamp', values: 'state.reported' });
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FIELDS_VALUES: 'state..reported', TICKCAST_INPUT_FIELDS_TS: 'meta\\ts' } }), [
    'input.fields.ts (TICKCAST_INPUT_FIELDS_TS): "meta\\\\ts" has "\\" before "t": in a path, "\\." is a dot within a key and "\\\\" a backslash; nothing else is escaped',
    'input.fields.values (TICKCAST_INPUT_FIELDS_VALUES): "state..reported" has an empty key (a "." at its start or end, or ".."): write keys separated by single dots, e.g. "state.reported"; a key holding a dot as "a\\.b"',
  ]);
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FIELDS_SERIES: 'state', TICKCAST_INPUT_FIELDS_VALUES: 'state.reported' } }), [
    'input.fields.series (TICKCAST_INPUT_FIELDS_SERIES): input.fields.series "state" would hold input.fields.values "state.reported", but it must be a string, not an object',
  ]);
  // Before 7 Dec 2026 values inside "labels" loaded, and every record was then refused (labels are strings).
  assert.deepEqual(problems({ env: { TICKCAST_INPUT_FIELDS_VALUES: 'labels.readings' } }), [
    'input.fields.values (TICKCAST_INPUT_FIELDS_VALUES): input.fields.values "labels.readings" is inside the record\'s "labels", whose members must be strings (alert grouping labels), but it is an object of feature → number: name a field outside "labels"',
  ]);
  // A ts there may be an ISO-8601 string, which decodes (and is a label): it loads.
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_FIELDS_TS: 'labels.ts' } }).input.fields.ts, 'labels.ts');
});
