/**
 * Render-free checks of helm/tickcast (no helm binary here): plain YAML parses, values.yaml
 * validates against values.schema.json (and the schema rejects what it should), every
 * .Values path a template uses exists, template delimiters and blocks balance, and the
 * chart's default app config passes the service's own config schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import type { ZodTypeAny } from 'zod';
import { configSchema } from '../../../src/config/schema.ts';
import { getPath, hasPath, listFiles, read, readYaml } from './repo.ts';
import { unknownTickcastEnv } from './env-names.ts';

const values = readYaml('helm/tickcast/values.yaml');
const templates = listFiles('helm/tickcast/templates').map((rel) => ({ rel, text: read(rel) }));

function compileSchema() {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  return ajv.compile(JSON.parse(read('helm/tickcast/values.schema.json')));
}

function withOverride(path: string, value: unknown): any {
  const copy = structuredClone(values);
  const segs = path.split('.');
  let cur = copy;
  for (const s of segs.slice(0, -1)) cur = cur[s];
  cur[segs[segs.length - 1]] = value;
  return copy;
}

test('Chart.yaml and values.yaml are valid YAML with the fields helm requires', () => {
  const chart = readYaml('helm/tickcast/Chart.yaml');
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.name, 'tickcast');
  assert.match(chart.version, /^\d+\.\d+\.\d+/);
  assert.equal(typeof chart.appVersion, 'string');
  const pkg = JSON.parse(read('package.json'));
  assert.equal(chart.appVersion, pkg.version, 'Chart appVersion should follow package.json version (image tag default)');
  assert.equal(typeof values, 'object');
});

test('values.yaml validates against values.schema.json', () => {
  const validate = compileSchema();
  const ok = validate(values);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
});

test('values.schema.json rejects unsafe or contradictory values', () => {
  const validate = compileSchema();
  const bad: Array<[string, unknown, string]> = [
    ['autoscaling.keda.enabled', true, ''], // set together with hpa below
    ['podSecurityContext.runAsNonRoot', false, 'runAsNonRoot'],
    ['securityContext.allowPrivilegeEscalation', true, 'allowPrivilegeEscalation'],
    ['modelStore.type', 'hostPath', 'modelStore/type'],
    ['config.http.apiKeys', ['0123456789abcdef'], 'apiKeys'],
    // Every other secret the app takes as a value: the ConfigMap would hold it in clear (kubectl get cm -o yaml).
    ['config.kafka.oidcClientSecret', 'oidc-client-secret', 'oidcClientSecret'],
    ['config.kafka.tlsKeyPassword', 'key-password', 'tlsKeyPassword'],
    ['config.kafka.tlsKeyPem', '-----BEGIN PRIVATE KEY-----', 'tlsKeyPem'],
    ['config.topics.ticks', 'bad topic!', 'topics/ticks'],
    ['autoscaling.partitionCount', 0, 'partitionCount'],
    ['heapPercent', 120, 'heapPercent'],
    ['serviceMonitor.interval', 'fifteen', 'interval'],
    ['unknownTopLevel', 1, 'additionalProperties'],
    ['image.digest', 'latest', 'digest'],
    ['networkPolicy.egress.kafka.ports', [0], 'ports'],
    // The API server refuses a spread constraint without these; helm would install a Deployment that never rolls out.
    ['topologySpreadConstraints', [{ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }], 'topologyKey'],
    ['topologySpreadConstraints', [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'Sometimes' }], 'whenUnsatisfiable'],
    // The chart reads these since 7 Dec 2026 (OTEL_RESOURCE_ATTRIBUTES, the OTLP egress port): a map
    // rendered as "map[team:obs]" into the variable, and the pod exited at start instead of helm refusing.
    ['config.telemetry.resourceAttributes', { team: 'obs' }, 'resourceAttributes'],
    ['config.telemetry.otlpEndpoint', 4318, 'otlpEndpoint'],
    ['config.telemetry.otlpProtocol', 'http', 'otlpProtocol'],
    // The docs folder, not the runbook itself: <base>/runbook.md#x would be runbook.md/runbook.md#x.
    ['prometheusRule.runbookBaseUrl', 'https://github.com/org/tickcast/blob/main/docs/runbook.md', 'runbookBaseUrl'],
    ['prometheusRule.runbookBaseUrl', 'https://github.com/org/tickcast/blob/main/docs/', 'runbookBaseUrl'],
    // Written into a double-quoted annotation that Prometheus expands as a template: a quote or a brace breaks it.
    ['prometheusRule.dashboardUrl', 'https://grafana.example/d/x?q="a"', 'dashboardUrl'],
    ['prometheusRule.dashboardUrl', 'https://grafana.example/d/{{x}}', 'dashboardUrl'],
    ['prometheusRule.dashboardUrl', 'grafana.example/d/x', 'dashboardUrl'],
  ];
  const both = withOverride('autoscaling.keda.enabled', true);
  both.autoscaling.hpa.enabled = true;
  assert.equal(validate(both), false, 'KEDA and HPA together must be rejected');
  assert.equal(validate(withOverride('autoscaling.keda.enabled', true)), true, 'KEDA alone is fine');
  for (const [path, value, expect] of bad.slice(1)) {
    assert.equal(validate(withOverride(path, value)), false, `${path}=${JSON.stringify(value)} should be rejected`);
    assert.ok(JSON.stringify(validate.errors).includes(expect), `${path}: errors should mention ${expect}: ${JSON.stringify(validate.errors)}`);
  }
  const objectStoreNoUri = withOverride('modelStore.type', 'objectStore');
  assert.equal(validate(objectStoreNoUri), false, 'objectStore without a uri should be rejected');
  objectStoreNoUri.modelStore.objectStore.uri = 's3://models/tickcast';
  assert.equal(validate(objectStoreNoUri), true, JSON.stringify(validate.errors));
  // As a subchart, Helm injects `global` (and parents use `enabled` as a condition): allowed.
  const asSubchart = structuredClone(values);
  asSubchart.global = { imageRegistry: 'registry.example' };
  asSubchart.enabled = true;
  assert.equal(validate(asSubchart), true, JSON.stringify(validate.errors));
  const saslNoSecret = withOverride('kafkaAuth.sasl.enabled', true);
  assert.equal(validate(saslNoSecret), false, 'SASL without a Secret should be rejected');
});

test("the chart's default config passes the service's config schema", () => {
  const parsed = configSchema.safeParse(values.config);
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  // The keys the templates read must mean what the app means by them.
  assert.equal(parsed.data!.http.port, 8080);
  assert.equal(parsed.data!.topics.ticks, values.config.topics.ticks);
  assert.equal(parsed.data!.shutdown.graceMs, values.config.shutdown.graceMs);
});

/** The zod schema under its wrappers (default, optional, nullable, preprocess/refine). */
function unwrap(schema: ZodTypeAny): ZodTypeAny {
  let cur: any = schema;
  for (;;) {
    const def = cur._def;
    if (def.innerType) cur = def.innerType;
    else if (def.typeName === 'ZodEffects') cur = def.schema;
    else return cur;
  }
}

test("values.schema.json's config section agrees with the service's config schema (keys, enums, closed sections)", () => {
  const chartConfig = JSON.parse(read('helm/tickcast/values.schema.json')).properties.config;
  let checked = 0;
  const walk = (chart: any, app: ZodTypeAny, path: string) => {
    const a: any = unwrap(app);
    if (chart.enum) {
      assert.equal(a._def.typeName, 'ZodEnum', `config.${path}: the chart lists values, the service's key is not an enum`);
      assert.deepEqual([...chart.enum].sort(), [...a._def.values].sort(), `config.${path}: the chart's allowed values differ from the service's (helm refuses good values or passes ones the pod exits 78 on)`);
      checked++;
    }
    if (!chart.properties) return;
    assert.equal(a._def.typeName, 'ZodObject', `config.${path}: an object in the chart, not in the service`);
    const shape = a.shape as Record<string, ZodTypeAny>;
    for (const [key, sub] of Object.entries<any>(chart.properties)) {
      const at = path ? `${path}.${key}` : key;
      assert.ok(key in shape, `config.${at}: typed in values.schema.json but not a key of the service's config (src/config/schema.ts)`);
      walk(sub, shape[key], at);
    }
    if (chart.additionalProperties === false) {
      for (const key of Object.keys(shape)) assert.ok(key in chart.properties, `config.${path}.${key}: a service setting the chart's closed section refuses`);
    }
  };
  walk(chartConfig, configSchema as unknown as ZodTypeAny, '');
  assert.ok(checked >= 2, `expected the engine and backend enums to be compared; compared ${checked}`);
});

/** `.Values.a.b` references, plus `$x.a` where `$x := .Values.y` (or `| default dict` of it). */
function valuesRefs(text: string): string[] {
  const refs = new Set<string>();
  for (const m of text.matchAll(/\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g)) refs.add(m[1]);
  for (const m of text.matchAll(/\{\{-?\s*\$(\w+)\s*:?=\s*(?:deepCopy\s*\(\s*)?\.Values\.([\w.]+)/g)) {
    const [, alias, base] = m;
    for (const r of text.matchAll(new RegExp(`\\$${alias}\\.([A-Za-z0-9_]+(?:\\.[A-Za-z0-9_]+)*)`, 'g'))) refs.add(`${base}.${r[1]}`);
  }
  return [...refs].sort();
}

test('every .Values path used by a template exists in values.yaml', () => {
  const missing: string[] = [];
  let count = 0;
  for (const { rel, text } of templates) {
    for (const ref of valuesRefs(text)) {
      count++;
      if (!hasPath(values, ref)) missing.push(`${rel}: .Values.${ref}`);
    }
  }
  assert.ok(count > 80, `expected the templates to use many values; found ${count}`);
  assert.deepEqual(missing, []);
});

/** Dotted paths of every leaf setting in values.yaml (an empty object counts as a leaf). */
function valueLeaves(obj: any, prefix = '', out: string[] = []): string[] {
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) valueLeaves(v, p, out);
    else out.push(p);
  }
  return out;
}

test('every value in values.yaml is used by a template (no dead settings)', () => {
  const used = new Set(templates.flatMap(({ text }) => valuesRefs(text)));
  const leaves = valueLeaves(values);
  const unused = leaves.filter((leaf) => {
    const segs = leaf.split('.');
    return !segs.some((_, i) => used.has(segs.slice(0, i + 1).join('.')));
  });
  assert.deepEqual(unused, []);
});

test('template delimiters and control blocks balance in every template', () => {
  for (const { rel, text } of templates) {
    const opens = text.match(/\{\{/g)?.length ?? 0;
    const closes = text.match(/\}\}/g)?.length ?? 0;
    assert.equal(opens, closes, `${rel}: ${opens} "{{" vs ${closes} "}}"`);
    // Actions outside raw strings: {{`...`}} escapes hold literal Prometheus templates.
    const actions = [...text.replace(/\{\{`[^`]*`\}\}/g, '').matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]);
    let depth = 0;
    for (const a of actions) {
      if (/^(if|with|range|define|block)\b/.test(a)) depth++;
      else if (/^end\b/.test(a)) depth--;
      assert.ok(depth >= 0, `${rel}: "end" without an opening block`);
    }
    assert.equal(depth, 0, `${rel}: ${depth} block(s) not closed with {{ end }}`);
  }
});

test('every included template is defined in _helpers.tpl', () => {
  const helpers = read('helm/tickcast/templates/_helpers.tpl');
  const defined = new Set([...helpers.matchAll(/define\s+"([^"]+)"/g)].map((m) => m[1]));
  for (const { rel, text } of templates) {
    for (const m of text.matchAll(/include\s+"([^"]+)"/g)) assert.ok(defined.has(m[1]), `${rel}: include "${m[1]}" is not defined`);
  }
});

test('objects that need a CRD or are optional are behind a values switch', () => {
  const gated: Record<string, string> = {
    'servicemonitor.yaml': '.Values.serviceMonitor.enabled',
    'prometheusrule.yaml': '.Values.prometheusRule.enabled',
    'keda.yaml': '.Values.autoscaling.keda.enabled',
    'hpa.yaml': '.Values.autoscaling.hpa.enabled',
    'pdb.yaml': '.Values.podDisruptionBudget.enabled',
    'grafana-dashboard.yaml': '.Values.grafanaDashboard.enabled',
    'networkpolicy.yaml': '.Values.networkPolicy.enabled',
  };
  for (const [file, guard] of Object.entries(gated)) {
    const text = read(`helm/tickcast/templates/${file}`);
    const firstAction = text.match(/\{\{-?\s*([^}]*?)\s*-?\}\}/)?.[1] ?? '';
    assert.equal(firstAction, `if ${guard}`, `${file} must start with {{- if ${guard} }}`);
    assert.equal(getPath(values, guard.replace('.Values.', '')), file === 'pdb.yaml', `${file}: default of ${guard}`);
  }
});

test('the Deployment wires probes, security context, secrets as files and the grace period', () => {
  const d = read('helm/tickcast/templates/deployment.yaml');
  assert.match(d, /livenessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/healthz/);
  assert.match(d, /readinessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/readyz/);
  assert.match(d, /startupProbe:\s*\n\s*httpGet:\s*\n\s*path: \/healthz/);
  assert.match(d, /terminationGracePeriodSeconds: \{\{ include "tickcast.terminationGracePeriodSeconds" \. \}\}/);
  assert.match(d, /mountPath: \/tmp/, 'a writable /tmp is required with readOnlyRootFilesystem');
  // Secrets reach the app as *_FILE paths, never as literal env values.
  assert.doesNotMatch(d, /secretKeyRef/);
  for (const env of ['TICKCAST_HTTP_API_KEYS_FILE', 'TICKCAST_KAFKA_SASL_PASSWORD_FILE', 'TICKCAST_KAFKA_SASL_USERNAME_FILE']) assert.ok(d.includes(env), env);
  assert.deepEqual(values.securityContext.capabilities.drop, ['ALL']);
  assert.equal(values.securityContext.readOnlyRootFilesystem, true);
  assert.equal(values.securityContext.allowPrivilegeEscalation, false);
  assert.equal(values.podSecurityContext.runAsNonRoot, true);
  assert.equal(values.podSecurityContext.seccompProfile.type, 'RuntimeDefault', 'the runtime default seccomp filter, not Unconfined');
  assert.equal(values.serviceAccount.automountServiceAccountToken, false, 'tickcast never calls the Kubernetes API: no token in the pod');
  // Derived grace period: drain (ceil graceMs/1000) + preStop + 10 s must exceed the drain.
  const helpers = read('helm/tickcast/templates/_helpers.tpl');
  assert.match(helpers, /div \(add \$ms 999\) 1000/);
  assert.match(helpers, /add \$floor 10/);
  assert.match(helpers, /min \(\.Values\.autoscaling\.maxReplicas \| int\) \(\.Values\.autoscaling\.partitionCount \| int\)/);
});

test('templates and values set only environment names the config loader accepts', () => {
  const all = templates.map((t) => t.text).join('\n') + read('helm/tickcast/values.yaml');
  assert.ok(all.includes('TICKCAST_CONFIG_FILE'));
  assert.deepEqual(unknownTickcastEnv(all), []);
});

test("the chart's Grafana dashboard is the same file as the compose stack's", () => {
  assert.equal(read('helm/tickcast/dashboards/tickcast.json'), read('deploy/grafana/dashboards/tickcast.json'),
    'copy deploy/grafana/dashboards/tickcast.json to helm/tickcast/dashboards/tickcast.json');
});

/**
 * Keys named in the first column of docs/deployment.md's "Values reference": `a.b.c` tokens,
 * `/ `.x`` continuations relative to the previous token's parent, `{a,b}` alternatives and
 * `.*` / `<rule>` wildcards.
 */
function documentedValueKeys(): string[] {
  const doc = read('docs/deployment.md');
  const start = doc.indexOf('### Values reference');
  const table = doc.slice(start, doc.indexOf('\n### ', start + 1));
  const keys: string[] = [];
  const expand = (token: string): string[] => {
    const m = /\{([^}]*)\}/.exec(token);
    if (!m) return [token];
    return m[1].split(',').flatMap((alt) => expand(token.slice(0, m.index) + alt.trim() + token.slice(m.index + m[0].length)));
  };
  for (const line of table.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const first = line.split(' | ')[0];
    let parent = '';
    for (const [, raw] of first.matchAll(/`([^`]+)`/g)) {
      const token = raw.startsWith('.') ? parent + raw : raw;
      if (!raw.startsWith('.')) parent = token.includes('.') ? token.slice(0, token.lastIndexOf('.')) : '';
      keys.push(...expand(token));
    }
  }
  return keys;
}

test('docs/deployment.md "Values reference" lists every key of values.yaml', () => {
  const documented = documentedValueKeys();
  assert.ok(documented.length > 60, `expected the values table; found ${documented.length} keys`);
  const covers = (doc: string, leaf: string) => {
    const re = new RegExp(`^${doc.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\\\.\*$/, '(\\..+)?').replace(/<[a-z]+>/g, '[^.]+')}(\\..+)?$`);
    return re.test(leaf);
  };
  const leaves = valueLeaves(values);
  const missing = leaves.filter((leaf) => !documented.some((d) => covers(d, leaf)));
  assert.deepEqual(missing, [], 'add these to docs/deployment.md "Values reference"');
  // And nothing documented that values.yaml does not have (a renamed or removed key).
  const stale = documented.filter((d) => !/[<*]/.test(d) && !hasPath(values, d));
  assert.deepEqual(stale, [], 'docs/deployment.md "Values reference" names keys values.yaml does not have');
});

test('values.yaml says where the config file is mounted, as the Deployment mounts it', () => {
  const d = read('helm/tickcast/templates/deployment.yaml');
  const file = /name: TICKCAST_CONFIG_FILE\s*\n\s*value: (\S+)/.exec(d)?.[1];
  assert.equal(file, '/etc/tickcast/config/config.yaml');
  const mount = /- name: config\s*\n\s*mountPath: (\S+)/.exec(d)?.[1];
  assert.equal(`${mount}/config.yaml`, file, 'the config volume holds config.yaml (configmap.yaml)');
  const raw = read('helm/tickcast/values.yaml');
  for (const m of raw.matchAll(/\/etc\/tickcast\/[\w./-]*config\.yaml/g)) assert.equal(m[0], file, 'values.yaml names another path for the config file');
  assert.ok(raw.includes(file));
});

test('values.schema.json: config.snapshots.dir and config.model.dir are the chart\'s (volumes), serviceMonitor.authorization is typed', () => {
  const validate = compileSchema();
  assert.equal(validate(withOverride('config.snapshots', { enabled: true, dir: '/shared' })), false, 'config.snapshots.dir must be refused');
  // TICKCAST_MODEL_DIR (modelStore.mountPath) wins over the config file: a config.model.dir would do nothing.
  assert.equal(validate(withOverride('config.model', { ...values.config.model, dir: '/data/models' })), false, 'config.model.dir must be refused');
  assert.equal(validate(withOverride('serviceMonitor.authorization', { secretName: 'k', secretKey: '' })), false);
  assert.equal(validate(withOverride('serviceMonitor.authorization', { secretName: 'k', secretKey: 'token' })), true, JSON.stringify(validate.errors));
  assert.equal(validate(withOverride('prometheusRule.rules.intakePaused', { enabled: true, share: 1.5, window: '10m', for: '10m' })), false);
});
