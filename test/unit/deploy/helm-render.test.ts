/**
 * Renders helm/tickcast with helm-render (./helm-render/main.go: Go text/template + sprig +
 * Helm's include/tpl/toYaml, the same building blocks as Helm's engine) for several value sets,
 * and checks the manifests a user would get: kinds, replica caps, probes, secrets as files,
 * render-time failures, and — end to end — that the app's own config loader accepts exactly the
 * config file and *_FILE secrets the chart hands it.
 *
 * Needs Go and Debian's golang-github-masterminds-sprig-dev + golang-k8s-sigs-yaml-dev (GOPATH
 * mode, no network). Skipped, with that message, where they are missing (CI has no Go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments, stringify as toYaml } from 'yaml';
import { loadConfig } from '../../../src/config/load.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { parseResourceAttributes } from '../../../src/config/otel-env.ts';
import { CHART, ROOT, read, readYaml } from './repo.ts';

const GOPATH = '/usr/share/gocode';
const haveGo = spawnSync('go', ['version']).status === 0 && existsSync(join(GOPATH, 'src/github.com/Masterminds/sprig')) && existsSync(join(GOPATH, 'src/sigs.k8s.io/yaml'));
const skip = !haveGo && 'needs go + golang-github-masterminds-sprig-dev + golang-k8s-sigs-yaml-dev (apt) to render the chart';

const work = mkdtempSync(join(tmpdir(), 'tickcast-helm-'));
const binary = join(work, 'helm-render');
let built: string | null = null;

function build(): void {
  if (built !== null) return;
  const r = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: join(ROOT, 'test/unit/deploy/helm-render'),
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `go build failed: ${r.stderr}`);
  built = binary;
}

interface Rendered { ok: boolean; error: string; docs: any[]; notes: string; files: Record<string, string> }
let n = 0;
function render(overrides: Record<string, unknown> = {}, namespace = 'default'): Rendered {
  build();
  const file = join(work, `values-${n++}.yaml`);
  writeFileSync(file, toYaml(overrides));
  const r = spawnSync(binary, [CHART, '-f', file, '-n', namespace], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return { ok: false, error: r.stderr.trim(), docs: [], notes: '', files: {} };
  const files = JSON.parse(r.stdout).files as Record<string, string>;
  const docs: any[] = [];
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('NOTES.txt')) continue;
    for (const d of parseAllDocuments(text)) {
      assert.deepEqual(d.errors, [], `${name}: rendered YAML does not parse: ${d.errors.join('; ')}`);
      const js = d.toJS();
      if (js !== null) docs.push(js);
    }
  }
  return { ok: true, error: '', docs, notes: files['tickcast/templates/NOTES.txt'] ?? '', files };
}

function one(r: Rendered, kind: string): any {
  const found = r.docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}; got ${found.length}`);
  return found[0];
}
const kinds = (r: Rendered) => r.docs.map((d) => d.kind).sort();
const container = (r: Rendered) => one(r, 'Deployment').spec.template.spec.containers[0];
const envOf = (r: Rendered) => Object.fromEntries(container(r).env.map((e: any) => [e.name, e.value]));

const FULL = {
  config: { kafka: { brokers: ['kafka-0:9093', 'kafka-1:9093'], ssl: true }, http: { requireAuthForReads: true } },
  apiKeys: { existingSecret: 'tc-keys' },
  kafkaAuth: { sasl: { enabled: true, existingSecret: 'tc-kafka', mechanism: 'scram-sha-256' }, tls: { caSecret: 'tc-ca' } },
  autoscaling: { partitionCount: 4, maxReplicas: 12, keda: { enabled: true } },
  gpu: { enabled: true, runtimeClassName: 'nvidia' },
  modelStore: { type: 'pvc' },
  serviceMonitor: { enabled: true, authorization: { secretName: 'tc-metrics-key' } },
  prometheusRule: { enabled: true },
};

const rulesOf = (rel: string): any[] => readYaml(rel).groups.flatMap((g: any) => g.rules);
const COMPOSE_RULES = 'deploy/prometheus/rules/tickcast.rules.yml';
const FINETUNE_RULES = 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml';
const renderedRules = (r: Rendered): any[] => one(r, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);
/** The image's ENV for TICKCAST_* (runtime stage of the Dockerfile): what the pod env overrides. */
function imageEnv(): Record<string, string> {
  const dockerfile = read('Dockerfile');
  const stage = dockerfile.slice(dockerfile.indexOf(' AS runtime'), dockerfile.indexOf(' AS replay'));
  return Object.fromEntries([...stage.matchAll(/\b(TICKCAST_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}
const POD_VARS = { K8S_NAMESPACE_NAME: 'obs', K8S_POD_NAME: 'tickcast-7d9-x2' };
/**
 * An env value as the kubelet expands it (k8s.io/kubernetes third_party/forked/golang/expansion): `$$` is `$`,
 * `$(NAME)` the value of a variable defined before it (left as written when none is), any other `$` itself.
 */
function kubeletExpand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$(\$|\(([^)]*)\))/g, (whole, next: string, name?: string) => (next === '$' ? '$' : name !== undefined && name in vars ? vars[name] : whole));
}
/**
 * Config the app loads in the pod: image ENV, overridden by the pod's env, plus the mounted config
 * file and `secrets` (pod path → content), all under a temporary root that stands for the pod's filesystem.
 */
function podConfig(r: Rendered, secrets: Record<string, string> = {}) {
  const root = join(work, `pod-${n++}`);
  const env: Record<string, string> = { ...imageEnv() };
  for (const [name, value] of Object.entries(envOf(r))) if (name.startsWith('TICKCAST_')) env[name] = value as string;
  // The chart's OTEL_RESOURCE_ATTRIBUTES, as the kubelet expands it.
  for (const [name, value] of Object.entries(envOf(r))) if (name.startsWith('OTEL_')) env[name] = kubeletExpand(value as string, POD_VARS);
  const files: Record<string, string> = { [env.TICKCAST_CONFIG_FILE]: one(r, 'ConfigMap').data['config.yaml'], ...secrets };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const [name, value] of Object.entries(env)) if (value.startsWith('/etc/tickcast/')) env[name] = join(root, value);
  return loadConfig({ env });
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test('defaults: the core objects only, 2 replicas, derived grace period, hardened pod', { skip }, () => {
  const r = render();
  assert.ok(r.ok, r.error);
  assert.deepEqual(kinds(r), ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  const dep = one(r, 'Deployment');
  assert.equal(dep.spec.replicas, 2);
  const pod = dep.spec.template.spec;
  assert.equal(pod.terminationGracePeriodSeconds, 40, 'ceil(25000/1000) + 5 + 10');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(one(r, 'ServiceAccount').automountServiceAccountToken, false);
  const c = container(r);
  assert.equal(c.image, 'ghcr.io/tickcast/tickcast:0.1.0');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.ports[0].containerPort, 8080);
  assert.deepEqual(c.lifecycle.preStop.exec.command, ['sleep', '5']);
  assert.equal(c.resources.limits['nvidia.com/gpu'], undefined);
  const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
  assert.equal(mounts['/tmp'], 'tmp');
  assert.equal(mounts['/var/lib/tickcast/models'], 'models');
  assert.ok(pod.volumes.find((v: any) => v.name === 'models').emptyDir);
  assert.ok(dep.spec.template.metadata.annotations['checksum/config'].match(/^[0-9a-f]{64}$/));
  assert.deepEqual(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  const rwx = render({ modelStore: { type: 'pvc', pvc: { accessModes: ['ReadWriteMany'] } }, updateStrategy: {} });
  assert.equal(one(rwx, 'Deployment').spec.strategy.type, 'RollingUpdate');
  const custom = render({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
  assert.deepEqual(one(custom, 'Deployment').spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  assert.match(r.notes, /EMBEDDED DEMO/);
  // All replicas unready (brokers down) must not block node drains: unready pods are always evictable.
  const pdb = one(r, 'PodDisruptionBudget');
  assert.equal(pdb.spec.maxUnavailable, 1);
  assert.equal(pdb.spec.unhealthyPodEvictionPolicy, 'AlwaysAllow');
  assert.equal(one(render({ podDisruptionBudget: { unhealthyPodEvictionPolicy: '' } }), 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy, undefined);
  // The Service targets the pod's named port and selects the pod's labels.
  const svc = one(r, 'Service');
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(dep.spec.template.metadata.labels[k], v);
});

test('the rendered config file and mounted secrets load with the app config loader', { skip }, () => {
  const r = render(FULL);
  assert.ok(r.ok, r.error);
  const cm = one(r, 'ConfigMap');
  assert.ok(configSchema.safeParse(readYaml('helm/tickcast/values.yaml').config).success);
  // Recreate the pod's files under a temp root: the config map and each Secret key the env points at.
  const root = join(work, 'pod');
  const env = envOf(r);
  const secrets: Record<string, string> = {
    '/etc/tickcast/secrets/api-keys/api-keys': 'key-one-0123456789abcdef,key-two-0123456789abcdef',
    '/etc/tickcast/secrets/kafka-sasl/username': 'tickcast-user',
    '/etc/tickcast/secrets/kafka-sasl/password': 's3cret-pass\n',
    '/etc/tickcast/secrets/kafka-tls/ca.crt': '-----BEGIN CERTIFICATE-----\n',
  };
  const files: Record<string, string> = { [env.TICKCAST_CONFIG_FILE]: cm.data['config.yaml'], ...secrets };
  // Every file path in the env lies under a volume mounted in the container.
  const mounts = container(r).volumeMounts.map((m: any) => m.mountPath as string);
  for (const [name, value] of Object.entries(env)) {
    if (!/_FILE$|NODE_EXTRA_CA_CERTS/.test(name)) continue;
    assert.ok(mounts.some((m: string) => (value as string).startsWith(`${m}/`)), `${name}=${value} is not under a mounted volume`);
    assert.ok(files[value as string] !== undefined, `${name}=${value}: test has no file for it`);
  }
  const podEnv: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('TICKCAST_')) podEnv[name] = (value as string).startsWith('/etc/') ? join(root, value as string) : (value as string);
  }
  const cfg = loadConfig({ env: podEnv });
  assert.deepEqual(cfg.kafka.brokers, ['kafka-0:9093', 'kafka-1:9093']);
  assert.equal(cfg.kafka.ssl, true);
  assert.deepEqual(cfg.kafka.sasl, { mechanism: 'scram-sha-256', username: 'tickcast-user', password: 's3cret-pass' });
  assert.deepEqual(cfg.http.apiKeys, ['key-one-0123456789abcdef', 'key-two-0123456789abcdef']);
  assert.equal(cfg.http.requireAuthForReads, true);
  assert.equal(cfg.model.dir, '/var/lib/tickcast/models');
  assert.equal(cfg.shutdown.graceMs, 25000);
  // Secret values never appear in the rendered manifests.
  const all = Object.values(r.files).join('\n');
  for (const v of ['s3cret-pass', 'key-one-0123456789abcdef']) assert.ok(!all.includes(v));
});

test('Kafka + SASL + TLS + KEDA + GPU + PVC + monitoring: objects, caps and references', { skip }, () => {
  const r = render(FULL, 'prod');
  assert.ok(r.ok, r.error);
  assert.deepEqual(kinds(r), ['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Secret', 'Service', 'ServiceAccount', 'ServiceMonitor', 'TriggerAuthentication']);
  const dep = one(r, 'Deployment');
  assert.equal(dep.spec.replicas, undefined, 'KEDA owns the replica count');
  const so = one(r, 'ScaledObject');
  assert.equal(so.spec.maxReplicaCount, 4, 'min(maxReplicas 12, partitionCount 4)');
  const trig = so.spec.triggers[0];
  assert.equal(trig.type, 'kafka');
  assert.equal(trig.metadata.bootstrapServers, 'kafka-0:9093,kafka-1:9093');
  assert.equal(trig.metadata.consumerGroup, 'tickcast');
  assert.equal(trig.metadata.topic, 'ticks');
  assert.equal(trig.metadata.allowIdleConsumers, 'false');
  const ta = one(r, 'TriggerAuthentication');
  assert.equal(trig.authenticationRef.name, ta.metadata.name);
  const refs = Object.fromEntries(ta.spec.secretTargetRef.map((s: any) => [s.parameter, `${s.name}/${s.key}`]));
  assert.deepEqual(refs, { tls: 'tickcast-keda-kafka/tls', sasl: 'tickcast-keda-kafka/sasl', username: 'tc-kafka/username', password: 'tc-kafka/password', ca: 'tc-ca/ca.crt' });
  const kedaSecret = one(r, 'Secret');
  assert.deepEqual(kedaSecret.stringData, { sasl: 'scram_sha256', tls: 'enable' });
  const c = container(r);
  assert.equal(c.image, 'ghcr.io/tickcast/tickcast:0.1.0-gpu');
  assert.equal(c.resources.limits['nvidia.com/gpu'], 1);
  assert.equal(c.resources.limits.memory, '2560Mi');
  const pod = dep.spec.template.spec;
  assert.equal(pod.runtimeClassName, 'nvidia');
  assert.ok(pod.tolerations.some((t: any) => t.key === 'nvidia.com/gpu' && t.operator === 'Exists'));
  assert.equal(pod.volumes.find((v: any) => v.name === 'models').persistentVolumeClaim.claimName, one(r, 'PersistentVolumeClaim').metadata.name);
  assert.deepEqual(dep.spec.strategy, { type: 'Recreate' }, 'a ReadWriteOnce claim cannot follow a surge pod to another node');
  const sm = one(r, 'ServiceMonitor');
  assert.deepEqual(sm.spec.namespaceSelector.matchNames, ['prod']);
  assert.equal(sm.spec.endpoints[0].port, 'http');
  assert.equal(sm.spec.endpoints[0].path, '/metrics');
  // requireAuthForReads closes /metrics: the ServiceMonitor sends a key from the Secret.
  assert.deepEqual(sm.spec.endpoints[0].authorization, { type: 'Bearer', credentials: { name: 'tc-metrics-key', key: 'token' } });
  // The PrometheusRule, rendered for real, carries exactly the compose rules (fine-tuning off:
  // no TickcastModelStale, as in compose); TickcastTargetDown selects the Service name as job
  // and the release namespace, where compose has job="tickcast" and no namespace.
  const rendered = renderedRules(r);
  const target = rendered.find((x: any) => x.alert === 'TickcastTargetDown');
  assert.equal(target.expr, `up{job="${one(r, 'Service').metadata.name}", namespace="prod"} == 0 or absent(up{job="${one(r, 'Service').metadata.name}", namespace="prod"})`);
  const normalised = JSON.parse(JSON.stringify(rendered).replaceAll(', namespace=\\"prod\\"', ''));
  assert.deepEqual(normalised, rulesOf(COMPOSE_RULES));
  assert.match(r.notes, /Kafka: kafka-0:9093,kafka-1:9093/);
  assert.match(r.notes, /ReadWriteOnce claim shared by several replicas/);
  assert.doesNotMatch(r.notes, /online fine-tuning with a model store shared/, 'fine-tuning is off');
  // Kafka without topics.alertState: a moved partition's alerts can stay firing downstream.
  assert.match(r.notes, /WARNING: .*no config.topics.alertState/);
  assert.doesNotMatch(render({ ...FULL, config: { ...FULL.config, topics: { alertState: 'alert-state' } } }, 'prod').notes, /no config.topics.alertState/, 'set: no warning');
  assert.match(render({ config: { kafka: { brokers: ['k:9092'] } } }).notes, /no config.topics.alertState/, 'the chart\'s default: 2 replicas');
  // One replica too: a rollout (maxSurge 1, or Recreate) hands every partition to a new pod, whose
  // snapshot emptyDir is empty (plain window replay): the old pod's open alerts are not its own.
  assert.match(render({ replicaCount: 1, config: { kafka: { brokers: ['k:9092'] } } }).notes, /no config.topics.alertState/, 'one replica: a rollout moves every partition to a new pod');
  assert.doesNotMatch(render({ replicaCount: 1 }).notes, /no config.topics.alertState/, 'embedded demo: no Kafka, no partitions');
  const tuned = render({ ...FULL, config: { ...FULL.config, finetune: { enabled: true } } }, 'prod');
  assert.match(tuned.notes, /NOTE: online fine-tuning with a model store shared by several replicas: one pod at a time fine-tunes/);
  assert.doesNotMatch(render({ config: { finetune: { enabled: true } } }).notes, /online fine-tuning with a model store shared/, 'emptyDir: a store per pod');
});

test('NOTES.txt names the brokers the app uses: extraEnv\'s KAFKA_BROKERS is Kafka, not the embedded demo', { skip }, () => {
  // The app takes KAFKA_BROKERS (and TICKCAST_KAFKA_BROKERS, KAFKA_BOOTSTRAP_SERVERS) over config.kafka.brokers; until
  // 7 Dec 2026 NOTES read config's alone and told such an install "EMBEDDED DEMO ... no Kafka is used", without the alertState warning.
  const msk = 'b-1.msk.example:9096,b-2.msk.example:9096';
  const r = render({ extraEnv: [{ name: 'KAFKA_BROKERS', value: msk }] });
  assert.ok(r.ok, r.error);
  assert.doesNotMatch(r.notes, /EMBEDDED DEMO/);
  assert.match(r.notes, new RegExp(`Kafka: ${msk} \\(group tickcast\\)`));
  assert.match(r.notes, /WARNING: .*no config.topics.alertState/);
  // From a Secret the chart cannot read the value: it names the variable.
  const hidden = render({ extraEnv: [{ name: 'KAFKA_BOOTSTRAP_SERVERS', valueFrom: { secretKeyRef: { name: 'msk', key: 'brokers' } } }] });
  assert.ok(hidden.ok, hidden.error);
  assert.doesNotMatch(hidden.notes, /EMBEDDED DEMO/);
  assert.match(hidden.notes, /Kafka: from extraEnv's KAFKA_BOOTSTRAP_SERVERS \(group tickcast\)/);
  assert.match(render().notes, /EMBEDDED DEMO/, 'no brokers anywhere: the demo');
});

test("KEDA's offsetResetPolicy follows config.kafka.fromBeginning (the lag of a partition the group never committed)", { skip }, () => {
  const policy = (kafka: Record<string, unknown>) => {
    const r = render({ config: { kafka: { brokers: ['kafka-0:9092'], ...kafka } }, autoscaling: { keda: { enabled: true } } });
    assert.ok(r.ok, r.error);
    return one(r, 'ScaledObject').spec.triggers[0].metadata.offsetResetPolicy;
  };
  assert.equal(policy({}), 'latest', 'the schema default, fromBeginning false');
  assert.equal(policy({ fromBeginning: false }), 'latest');
  assert.equal(policy({ fromBeginning: true }), 'earliest', 'a group that reads from the start: its backlog is lag');
});

test('HPA fallback is capped at the partition count; objectStore adds the sync init container', { skip }, () => {
  const hpa = render({ autoscaling: { partitionCount: 3, hpa: { enabled: true } } });
  assert.ok(hpa.ok, hpa.error);
  assert.equal(one(hpa, 'HorizontalPodAutoscaler').spec.maxReplicas, 3);
  assert.equal(one(hpa, 'Deployment').spec.replicas, undefined);
  const os = render({ modelStore: { type: 'objectStore', objectStore: { uri: 's3://models/tickcast', endpoint: 'http://minio:9000', existingSecret: 'minio-creds' } } });
  assert.ok(os.ok, os.error);
  const pod = one(os, 'Deployment').spec.template.spec;
  const init = pod.initContainers[0];
  assert.deepEqual(init.args, ['s3', 'sync', '--no-progress', '--endpoint-url', 'http://minio:9000', 's3://models/tickcast', '/var/lib/tickcast/models']);
  assert.deepEqual(init.envFrom, [{ secretRef: { name: 'minio-creds' } }]);
  assert.equal(init.securityContext.readOnlyRootFilesystem, true);
  assert.ok(pod.volumes.find((v: any) => v.name === 'models').emptyDir);
  assert.ok(!kinds(os).includes('PersistentVolumeClaim'));
});

test('grafanaDashboard.enabled ships the dashboard JSON in a sidecar-labelled ConfigMap', { skip }, () => {
  const r = render({ grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'tickcast' } } });
  assert.ok(r.ok, r.error);
  const cm = r.docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'tickcast-dashboard');
  assert.ok(cm, 'dashboard ConfigMap');
  assert.equal(cm.metadata.labels.grafana_dashboard, '1');
  assert.equal(cm.metadata.annotations.grafana_folder, 'tickcast');
  assert.deepEqual(JSON.parse(cm.data['tickcast.json']), JSON.parse(read('deploy/grafana/dashboards/tickcast.json')));
});

// Until 7 Dec 2026 the chart had no way to relabel its scrape, to put the dashboard where a Grafana
// watching only its own namespace finds it, nor a word when a NetworkPolicy shut Prometheus out.
test('serviceMonitor relabelings pass through; grafanaDashboard.namespace; NOTES warns when ingressFrom may block Prometheus', { skip }, () => {
  const relabelings = [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }];
  const metricRelabelings = [{ sourceLabels: ['__name__'], regex: 'nodejs_.*', action: 'drop' }];
  const sm = one(render({ serviceMonitor: { enabled: true, relabelings, metricRelabelings } }), 'ServiceMonitor').spec.endpoints[0];
  assert.deepEqual([sm.relabelings, sm.metricRelabelings], [relabelings, metricRelabelings]);
  const plain = one(render({ serviceMonitor: { enabled: true } }), 'ServiceMonitor').spec.endpoints[0];
  assert.deepEqual([plain.relabelings, plain.metricRelabelings], [undefined, undefined], 'none by default');
  const dash = (v: Record<string, unknown>) => render({ grafanaDashboard: { enabled: true, ...v } }, 'apps').docs.find((d) => d.metadata.name === 'tickcast-dashboard');
  assert.equal(dash({ namespace: 'grafana' }).metadata.namespace, 'grafana');
  assert.equal(dash({}).metadata.namespace, undefined, 'empty: the release namespace');
  const peers = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }];
  const warn = /WARNING: networkPolicy\.ingressFrom admits only the peers it lists/;
  assert.match(render({ networkPolicy: { enabled: true, ingressFrom: peers }, serviceMonitor: { enabled: true } }).notes, warn);
  assert.doesNotMatch(render({ networkPolicy: { enabled: true }, serviceMonitor: { enabled: true } }).notes, warn, 'ingressFrom [] admits any source');
  assert.doesNotMatch(render({ networkPolicy: { enabled: true, ingressFrom: peers } }).notes, warn, 'no ServiceMonitor');
});

// OpenShift's restricted-v2 SCC assigns the uid and fsGroup from the namespace's range and refuses others:
// docs/deployment.md § OpenShift tells to null them, which must leave them out (runAsNonRoot stays).
test('podSecurityContext with runAsUser/runAsGroup/fsGroup null renders without them (OpenShift)', { skip }, () => {
  const r = render({ podSecurityContext: { runAsUser: null, runAsGroup: null, fsGroup: null } });
  assert.ok(r.ok, r.error);
  const sc = one(r, 'Deployment').spec.template.spec.securityContext;
  assert.deepEqual(Object.keys(sc).sort(), ['fsGroupChangePolicy', 'runAsNonRoot', 'seccompProfile']);
  assert.equal(sc.runAsNonRoot, true);
});

test('prometheusRule.runbookBaseUrl links every alert to its runbook section; disabled rules drop out', { skip }, () => {
  const base = 'https://git.example/tickcast/docs';
  // A shared model store: with fine-tuning on, TickcastModelVersionSkew only means something there.
  const r = render({ config: { finetune: { enabled: true } }, modelStore: { type: 'pvc' }, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, runbookBaseUrl: base } });
  assert.ok(r.ok, r.error);
  const rules = renderedRules(r);
  assert.equal(rules.length, rulesOf(COMPOSE_RULES).length + rulesOf(FINETUNE_RULES).length);
  const runbook = read('docs/runbook.md');
  for (const x of rules) {
    assert.equal(x.annotations.runbook_url, `${base}/runbook.md#${x.alert.toLowerCase()}`, x.alert);
    assert.match(runbook, new RegExp(`^### ${x.alert}$`, 'm'), `docs/runbook.md has no section for ${x.alert}`);
  }
  assert.doesNotMatch(r.notes, /no prometheusRule\.runbookBaseUrl/);
  // The default (no base): no link, but the section's path in the `runbook` annotation, and a NOTE.
  const plain = render({ config: { finetune: { enabled: true } }, modelStore: { type: 'pvc' }, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } });
  for (const x of renderedRules(plain)) {
    assert.equal(x.annotations.runbook_url, undefined, x.alert);
    assert.equal(x.annotations.runbook, `docs/runbook.md#${x.alert.toLowerCase()}`, x.alert);
  }
  assert.match(plain.notes, /NOTE: no prometheusRule\.runbookBaseUrl/);
  assert.doesNotMatch(render().notes, /runbookBaseUrl/, 'no PrometheusRule, no note');
  // A Prometheus Operator ignores objects its selectors do not match, silently (kube-prometheus-stack: release=<name>).
  assert.match(plain.notes, /NOTE: serviceMonitor\.labels and prometheusRule\.labels empty/);
  const labelled = render({ serviceMonitor: { enabled: true, labels: { release: 'kps' } }, prometheusRule: { enabled: true, labels: { release: 'kps' } } });
  assert.doesNotMatch(labelled.notes, /labels empty/);
  assert.match(render({ serviceMonitor: { enabled: true, labels: { release: 'kps' } }, prometheusRule: { enabled: true } }).notes, /NOTE: prometheusRule\.labels empty/);
  const off = render({ config: { finetune: { enabled: true } }, modelStore: { type: 'pvc' }, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, rules: { modelStale: { enabled: false }, targetDown: { enabled: false }, intakePaused: { enabled: false } } } });
  const left = renderedRules(off).map((x: any) => x.alert);
  for (const gone of ['TickcastModelStale', 'TickcastTargetDown', 'TickcastIntakePaused']) assert.ok(!left.includes(gone), gone);
  assert.equal(left.length, rules.length - 3);
});

test('prometheusRule.dashboardUrl links every alert to the dashboard, on its release and, where it names one, its pod', { skip }, () => {
  // Until 7 Dec 2026 no alert linked a dashboard: the paged engineer had to find Grafana, the
  // dashboard and then pick the namespace, job and pod by hand.
  const vars = '{{ with $labels.namespace }}var-namespace={{ . | urlquery }}&{{ end }}var-job={{ $labels.job | urlquery }}{{ with $labels.instance }}&var-instance={{ . | urlquery }}{{ end }}';
  const values = (dashboardUrl: string) => ({ config: { finetune: { enabled: true } }, modelStore: { type: 'pvc' }, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, dashboardUrl } });
  const url = 'https://grafana.example/d/tickcast-overview/tickcast-overview';
  const r = render(values(url));
  assert.ok(r.ok, r.error);
  const rules = renderedRules(r);
  assert.equal(rules.length, rulesOf(COMPOSE_RULES).length + rulesOf(FINETUNE_RULES).length);
  for (const x of rules) assert.equal(x.annotations.dashboard_url, `${url}?${vars}`, x.alert);
  // A URL with a query of its own (Grafana's orgId) gets the variables after an &.
  for (const x of renderedRules(render(values(`${url}?orgId=2`)))) assert.equal(x.annotations.dashboard_url, `${url}?orgId=2&${vars}`, x.alert);
  // The default: no link.
  for (const x of renderedRules(render(values('')))) assert.equal(x.annotations.dashboard_url, undefined, x.alert);
});

test('TickcastModelStale is rendered only with fine-tuning on (or forced): its metric is the load time otherwise', { skip }, () => {
  const alerts = (values: Record<string, unknown>) => renderedRules(render({ ...values, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, ...(values.prometheusRule as object) } })).map((x: any) => x.alert);
  assert.ok(!alerts({}).includes('TickcastModelStale'), 'default (finetune.enabled false): a day after every rollout it would fire');
  const on = render({ config: { finetune: { enabled: true } }, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } });
  const stale = renderedRules(on).find((x: any) => x.alert === 'TickcastModelStale');
  assert.deepEqual(stale, rulesOf(FINETUNE_RULES)[0], 'the same rule as deploy/prometheus/rules-finetune');
  assert.ok(alerts({ prometheusRule: { rules: { modelStale: { force: true } } } }).includes('TickcastModelStale'));
  assert.ok(alerts({ extraEnv: [{ name: 'TICKCAST_FINETUNE_ENABLED', value: 'true' }] }).includes('TickcastModelStale'), 'fine-tuning on through extraEnv');
  assert.ok(!alerts({ config: { finetune: { enabled: true } }, prometheusRule: { rules: { modelStale: { enabled: false } } } }).includes('TickcastModelStale'));
});

test('TickcastModelVersionSkew: rendered with one model per release (fine-tuning off, or a shared pvc store), not where each pod fine-tunes its own', { skip }, () => {
  const skew = (values: Record<string, unknown>) => renderedRules(render({ serviceMonitor: { enabled: true }, ...values, prometheusRule: { enabled: true } })).find((x: any) => x.alert === 'TickcastModelVersionSkew');
  const composed = rulesOf(COMPOSE_RULES).find((x: any) => x.alert === 'TickcastModelVersionSkew');
  assert.ok(composed, 'the compose rules carry it');
  assert.deepEqual(skew({}), composed, 'fine-tuning off: every pod serves the image\'s (or model.dir\'s) version');
  assert.deepEqual(skew({ config: { finetune: { enabled: true } }, modelStore: { type: 'pvc' } }), composed, 'a shared store: promotions reach every pod');
  // Per-pod stores with fine-tuning: every pod promotes its own versions, so the alert would never clear.
  assert.equal(skew({ config: { finetune: { enabled: true } } }), undefined, 'emptyDir');
  assert.equal(skew({ config: { finetune: { enabled: true } }, modelStore: { type: 'objectStore', objectStore: { uri: 's3://m/t' } } }), undefined, 'objectStore');
  assert.equal(renderedRules(render({ serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, rules: { modelVersionSkew: { enabled: false, for: '15m' } } } })).find((x: any) => x.alert === 'TickcastModelVersionSkew'), undefined, 'enabled: false');
  // Until 7 Dec 2026 fine-tuning switched on through extraEnv left the rule rendered with an emptyDir
  // store (it fired for good), and its description said "(5 s)" whatever the follow interval.
  const env = (value: string) => ({ extraEnv: [{ name: 'TICKCAST_FINETUNE_ENABLED', value }] });
  assert.equal(skew(env('true')), undefined, 'extraEnv TICKCAST_FINETUNE_ENABLED=true, emptyDir');
  assert.deepEqual(skew({ ...env('false'), config: { finetune: { enabled: true } } }), composed, 'extraEnv false wins over the file');
  assert.equal(renderedRules(render({ serviceMonitor: { enabled: true }, extraEnv: [{ name: 'TICKCAST_FINETUNE_ENABLED', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }], prometheusRule: { enabled: true, rules: { modelVersionSkew: { finetune: true } } } })).find((x: any) => x.alert === 'TickcastModelVersionSkew'), undefined, 'finetune: true, emptyDir');
  assert.ok(skew({ config: { model: { followIntervalMs: 60000 } } }), 'rendered with a longer follow interval');
  assert.doesNotMatch(skew({ config: { model: { followIntervalMs: 60000 } } }).annotations.description, /\b5 s\b/, 'no default interval in the description');
});

test('TickcastFinetuneLeaseUnheld is rendered only with fine-tuning on, the same rule as compose\'s rules-finetune', { skip }, () => {
  const alerts = (values: Record<string, unknown>) => renderedRules(render({ ...values, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, ...(values.prometheusRule as object) } }));
  assert.ok(!alerts({}).some((x: any) => x.alert === 'TickcastFinetuneLeaseUnheld'), 'without fine-tuning no pod holds the lease: it would always fire');
  const lease = alerts({ config: { finetune: { enabled: true } } }).find((x: any) => x.alert === 'TickcastFinetuneLeaseUnheld');
  assert.deepEqual(lease, rulesOf(FINETUNE_RULES).find((r: any) => r.alert === 'TickcastFinetuneLeaseUnheld'));
  const slow = alerts({ config: { finetune: { enabled: true } }, prometheusRule: { rules: { finetuneLease: { enabled: true, for: '30m' } } } }).find((x: any) => x.alert === 'TickcastFinetuneLeaseUnheld');
  assert.equal(slow.for, '30m');
  assert.match(slow.annotations.description, /for 30m/);
  assert.ok(!alerts({ config: { finetune: { enabled: true } }, prometheusRule: { rules: { finetuneLease: { enabled: false, for: '10m' } } } }).some((x: any) => x.alert === 'TickcastFinetuneLeaseUnheld'));
});

test('alert thresholds come from values, in the expressions and the descriptions', { skip }, () => {
  const r = render({
    prometheusRule: { enabled: true, rules: {
      bandQuality: { lowCoverage: '0.5', share: 0.3, for: '1h' },
      intakePaused: { share: 0.4, window: '15m', for: '20m' },
      targetDown: { job: 'tickcast-pods', for: '2m' },
      commitsFailing: { enabled: true, for: '20m' },
    } },
  }, 'obs');
  assert.ok(r.ok, r.error);
  const by = Object.fromEntries(renderedRules(r).map((x: any) => [x.alert, x]));
  const band = by.TickcastBandMiscalibrated;
  assert.match(band.expr, /\{at_most="0\.5"\}.* > 0\.3$/);
  assert.equal(band.for, '1h');
  assert.match(band.annotations.description, /at or below 0\.5 \(nominal 0\.8\), more than the share of 0\.3 allowed, for 1h:/);
  assert.doesNotMatch(band.annotations.description, /20%|0\.6|30m/);
  assert.equal(by.TickcastIntakePaused.expr, 'max by (namespace, job, instance) (avg_over_time(tickcast_paused[15m])) > 0.4');
  assert.equal(by.TickcastIntakePaused.for, '20m');
  assert.match(by.TickcastIntakePaused.annotations.description, /of the last 15m on this pod/);
  assert.equal(by.TickcastTargetDown.expr, 'up{job="tickcast-pods", namespace="obs"} == 0 or absent(up{job="tickcast-pods", namespace="obs"})');
  assert.equal(by.TickcastTargetDown.for, '2m');
  assert.equal(by.TickcastKafkaCommitsFailing.for, '20m');
  assert.match(by.TickcastKafkaCommitsFailing.annotations.description, /with reason \{\{ \$labels\.reason \}\} \(not a rebalance\), some in every 5m for 20m,/);
  // Default job: the Service name, which is the job label the ServiceMonitor gives its targets.
  const named = render({ fullnameOverride: 'fc', serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } });
  assert.equal(one(named, 'Service').metadata.name, 'fc');
  assert.equal(one(named, 'ServiceMonitor').spec.endpoints[0].jobLabel, undefined);
  assert.equal(one(named, 'ServiceMonitor').spec.jobLabel, undefined, 'no jobLabel: the job is the Service name');
  assert.match(renderedRules(named).find((x: any) => x.alert === 'TickcastTargetDown').expr, /^up\{job="fc", namespace="default"\}/);
  // No authorization block unless asked for.
  assert.equal(one(named, 'ServiceMonitor').spec.endpoints[0].authorization, undefined);
});

test('config.http.port is the port everywhere: TICKCAST_HTTP_PORT over the image ENV, containerPort, probes, Service', { skip }, () => {
  assert.equal(imageEnv().TICKCAST_HTTP_PORT, '8080', 'the image sets the port by env, which wins over the config file');
  for (const port of [8080, 9464]) {
    const r = render({ config: { http: { port } }, service: { port: 80 } });
    assert.ok(r.ok, r.error);
    const c = container(r);
    assert.equal(envOf(r).TICKCAST_HTTP_PORT, String(port));
    const http = c.ports.find((p: any) => p.name === 'http');
    assert.equal(http.containerPort, port);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const p = c[probe].httpGet.port;
      assert.equal(typeof p === 'string' ? c.ports.find((x: any) => x.name === p)?.containerPort : p, port, probe);
    }
    const svc = one(r, 'Service').spec.ports[0];
    assert.equal(svc.port, 80);
    assert.equal(c.ports.find((x: any) => x.name === svc.targetPort)?.containerPort, port, 'Service targets the app port');
    // What the app really listens on: image ENV, overridden by the pod env, plus the config file.
    assert.equal(podConfig(r).http.port, port);
  }
});

test('series-state snapshots: a per-pod emptyDir (TICKCAST_SNAPSHOTS_DIR), never the shared model store', { skip }, () => {
  const r = render({ replicaCount: 3, modelStore: { type: 'pvc', pvc: { accessModes: ['ReadWriteMany'] } } });
  assert.ok(r.ok, r.error);
  const pod = one(r, 'Deployment').spec.template.spec;
  const c = container(r);
  const dir = envOf(r).TICKCAST_SNAPSHOTS_DIR;
  assert.equal(dir, '/var/lib/tickcast/series-state');
  const mount = c.volumeMounts.find((m: any) => m.mountPath === dir);
  assert.ok(mount, 'the snapshot directory is a mount of its own');
  const volume = pod.volumes.find((v: any) => v.name === mount.name);
  assert.deepEqual(volume.emptyDir, { sizeLimit: '1Gi' }, 'per pod: an emptyDir, not a claim');
  assert.ok(!c.volumeMounts.some((m: any) => m.name === 'models' && (dir === m.mountPath || dir.startsWith(`${m.mountPath}/`))), 'not under the shared model store');
  assert.ok(pod.volumes.find((v: any) => v.name === 'models').persistentVolumeClaim, 'the model store stays the shared claim');
  const cfg = podConfig(r);
  assert.equal(cfg.snapshots.dir, dir);
  assert.equal(cfg.snapshots.enabled, true);
  assert.equal(cfg.model.dir, '/var/lib/tickcast/models');
  const sized = render({ snapshots: { mountPath: '/snap', sizeLimit: '4Gi' } });
  assert.equal(envOf(sized).TICKCAST_SNAPSHOTS_DIR, '/snap');
  assert.equal(one(sized, 'Deployment').spec.template.spec.volumes.find((v: any) => v.name === 'series-state').emptyDir.sizeLimit, '4Gi');
  // Snapshots off: neither volume nor variable.
  const off = render({ config: { snapshots: { enabled: false } } });
  assert.ok(off.ok, off.error);
  assert.equal(envOf(off).TICKCAST_SNAPSHOTS_DIR, undefined);
  assert.ok(!one(off, 'Deployment').spec.template.spec.volumes.some((v: any) => v.name === 'series-state'));
  assert.ok(!container(off).volumeMounts.some((m: any) => m.name === 'series-state'));
  assert.equal(podConfig(off).snapshots.enabled, false);
});

test('grace period follows config.shutdown.graceMs and lifecycle.preStopSleepSeconds', { skip }, () => {
  const r = render({ config: { shutdown: { graceMs: 60001 } }, lifecycle: { preStopSleepSeconds: 0 } });
  assert.ok(r.ok, r.error);
  assert.equal(one(r, 'Deployment').spec.template.spec.terminationGracePeriodSeconds, 71, 'ceil(60.001) + 0 + 10');
  assert.equal(container(r).lifecycle, undefined);
  const explicit = render({ terminationGracePeriodSeconds: 31 });
  assert.equal(one(explicit, 'Deployment').spec.template.spec.terminationGracePeriodSeconds, 31);
});

test('grace period follows TICKCAST_SHUTDOWN_GRACE_MS in extraEnv, which the app takes over config.shutdown.graceMs', { skip }, () => {
  // Env wins over the config file in the app: a 60 s drain under a 40 s grace period was SIGKILLed mid-drain.
  const r = render({ extraEnv: [{ name: 'TICKCAST_SHUTDOWN_GRACE_MS', value: '60000' }] });
  assert.ok(r.ok, r.error);
  assert.equal(one(r, 'Deployment').spec.template.spec.terminationGracePeriodSeconds, 75, 'ceil(60) + preStop 5 + 10');
  assert.equal(podConfig(r).shutdown.graceMs, 60000, 'the app drains for the env value');
  const short = render({ extraEnv: [{ name: 'TICKCAST_SHUTDOWN_GRACE_MS', value: '60000' }], terminationGracePeriodSeconds: 50 });
  assert.ok(!short.ok);
  assert.match(short.error, /terminationGracePeriodSeconds \(50\) must exceed the drain time plus the preStop sleep \(65 s\)/);
  const unknown = render({ extraEnv: [{ name: 'TICKCAST_SHUTDOWN_GRACE_MS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] });
  assert.ok(!unknown.ok);
  assert.match(unknown.error, /TICKCAST_SHUTDOWN_GRACE_MS comes from extraEnv's valueFrom.*set terminationGracePeriodSeconds/);
  const explicit = render({ extraEnv: [{ name: 'TICKCAST_SHUTDOWN_GRACE_MS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }], terminationGracePeriodSeconds: 90 });
  assert.ok(explicit.ok, explicit.error);
  assert.equal(one(explicit, 'Deployment').spec.template.spec.terminationGracePeriodSeconds, 90);
});

test('the Kafka security protocol is the app\'s: config.kafka.securityProtocol wins over config.kafka.ssl (KEDA TLS, CA and client certificate)', { skip }, () => {
  // A SASL_SSL cluster configured the way docs/kafka-client.md names it: securityProtocol, kafka.ssl left false.
  // Before 7 Dec 2026 the chart read kafka.ssl alone: the CA Secret failed the render, and without it KEDA got tls "disable".
  const kafka = { brokers: ['kafka-0:9093'], securityProtocol: 'sasl_ssl' };
  const values = {
    config: { kafka },
    kafkaAuth: { sasl: { enabled: true, existingSecret: 'tc-kafka' }, tls: { caSecret: 'tc-ca', clientSecret: 'tc-client' } },
    autoscaling: { keda: { enabled: true } },
  };
  const r = render(values);
  assert.ok(r.ok, r.error);
  assert.equal(one(r, 'Secret').stringData.tls, 'enable', 'KEDA talks TLS to the brokers, as the app does');
  const secrets = {
    '/etc/tickcast/secrets/kafka-sasl/username': 'tickcast-user',
    '/etc/tickcast/secrets/kafka-sasl/password': 's3cret-pass',
    '/etc/tickcast/secrets/kafka-tls/ca.crt': '-----BEGIN CERTIFICATE-----\n',
    '/etc/tickcast/secrets/kafka-mtls/tls.crt': '-----BEGIN CERTIFICATE-----\n',
    '/etc/tickcast/secrets/kafka-mtls/tls.key': '-----BEGIN PRIVATE KEY-----\n',
  };
  const cfg = podConfig(r, secrets);
  assert.equal(cfg.kafka.securityProtocol, 'sasl_ssl');
  assert.match(cfg.kafka.tlsCaLocation, /kafka-tls\/ca\.crt$/);
  assert.match(cfg.kafka.tlsCertLocation, /kafka-mtls\/tls\.crt$/);
  // Any case, as the app lowers it; TLS without SASL still gets a TriggerAuthentication (tls alone).
  const upper = render({ ...values, config: { kafka: { ...kafka, securityProtocol: 'SASL_SSL' } } });
  assert.ok(upper.ok, upper.error);
  assert.equal(one(upper, 'Secret').stringData.tls, 'enable');
  const tlsOnly = render({ config: { kafka: { brokers: ['kafka-0:9093'], securityProtocol: 'ssl' } }, autoscaling: { keda: { enabled: true } } });
  assert.ok(tlsOnly.ok, tlsOnly.error);
  assert.deepEqual(one(tlsOnly, 'Secret').stringData, { tls: 'enable' });
  assert.equal(one(tlsOnly, 'ScaledObject').spec.triggers[0].authenticationRef.name, one(tlsOnly, 'TriggerAuthentication').metadata.name);
  // An explicit plaintext protocol wins over kafka.ssl in the app: no TLS for KEDA either.
  const plain = render({ config: { kafka: { brokers: ['kafka-0:9092'], ssl: true, securityProtocol: 'plaintext' } }, autoscaling: { keda: { enabled: true } } });
  assert.ok(plain.ok, plain.error);
  assert.ok(!kinds(plain).includes('TriggerAuthentication'), 'plaintext: no authentication for KEDA');
  assert.equal(podConfig(plain).kafka.securityProtocol, 'plaintext');
});

test("Strimzi's KafkaUser Secret (password and sasl.jaas.config, no username key) works with kafkaAuth.sasl.username", { skip }, () => {
  // Strimzi's User Operator writes a Secret named after the KafkaUser with the keys `password` and
  // `sasl.jaas.config`: the username is the KafkaUser's name. Until 7 Dec 2026 the chart read the username
  // from the Secret alone (usernameKey), so the pod pointed TICKCAST_KAFKA_SASL_USERNAME_FILE at a file the
  // mount did not have and exited 78; extraEnv could not help (the render refuses the _FILE twin).
  const values = {
    config: { kafka: { brokers: ['my-cluster-kafka-bootstrap.kafka:9093'], ssl: true } },
    kafkaAuth: { sasl: { enabled: true, mechanism: 'scram-sha-512', existingSecret: 'tickcast', username: 'tickcast' }, tls: { caSecret: 'my-cluster-cluster-ca-cert' } },
    autoscaling: { keda: { enabled: true } },
  };
  const r = render(values);
  assert.ok(r.ok, r.error);
  const env = envOf(r);
  assert.equal(env.TICKCAST_KAFKA_SASL_USERNAME, 'tickcast');
  assert.equal(env.TICKCAST_KAFKA_SASL_USERNAME_FILE, undefined, 'no file for a key the Secret does not have');
  // The pod's files: exactly the keys of the Strimzi Secrets.
  const strimzi = {
    '/etc/tickcast/secrets/kafka-sasl/password': 'generated-password',
    '/etc/tickcast/secrets/kafka-sasl/sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="tickcast" password="generated-password";',
    '/etc/tickcast/secrets/kafka-tls/ca.crt': '-----BEGIN CERTIFICATE-----\n',
  };
  assert.deepEqual(podConfig(r, strimzi).kafka.sasl, { mechanism: 'scram-sha-512', username: 'tickcast', password: 'generated-password' });
  // KEDA's scaler logs in as the same user: the username from the chart's Secret, the password from Strimzi's.
  const refs = Object.fromEntries(one(r, 'TriggerAuthentication').spec.secretTargetRef.map((s: any) => [s.parameter, `${s.name}/${s.key}`]));
  assert.equal(refs.username, 'tickcast-keda-kafka/username');
  assert.equal(refs.password, 'tickcast/password');
  assert.equal(one(r, 'Secret').stringData.username, 'tickcast');
  // The plain variable is the chart's now: extraEnv may not set it (nor its _FILE twin).
  for (const name of ['TICKCAST_KAFKA_SASL_USERNAME', 'TICKCAST_KAFKA_SASL_USERNAME_FILE']) {
    const clash = render({ ...values, extraEnv: [{ name, value: 'x' }] });
    assert.equal(clash.ok, false, name);
    assert.match(clash.error, /kafkaAuth\.sasl\.username/);
  }
  // Without it, the username still comes from the Secret's usernameKey.
  const fromSecret = render({ ...values, kafkaAuth: { ...values.kafkaAuth, sasl: { ...values.kafkaAuth.sasl, username: '' } } });
  assert.ok(fromSecret.ok, fromSecret.error);
  assert.equal(envOf(fromSecret).TICKCAST_KAFKA_SASL_USERNAME_FILE, '/etc/tickcast/secrets/kafka-sasl/username');
  assert.equal(envOf(fromSecret).TICKCAST_KAFKA_SASL_USERNAME, undefined);
});

test('extraEnv may not set a variable the chart sets (nor its _FILE twin): the render names the value to use', { skip }, () => {
  // Every variable the Deployment can set: API keys, SCRAM, CA, client certificate with a key password; then OAUTHBEARER with a scope.
  const tls = { caSecret: 'tc-ca', clientSecret: 'tc-client', keyPasswordKey: 'password' };
  const sets = [
    { config: { kafka: { brokers: ['k:9093'], ssl: true } }, apiKeys: { existingSecret: 'k' }, kafkaAuth: { sasl: { enabled: true, existingSecret: 's' }, tls } },
    { config: { kafka: { brokers: ['k:9093'], ssl: true } }, kafkaAuth: { sasl: { enabled: true, existingSecret: 's', mechanism: 'oauthbearer', oauthbearer: { tokenEndpointUrl: 'https://idp/token', clientId: 'c', scope: 'kafka' } }, tls } },
  ];
  let checked = 0;
  for (const values of sets) {
    const base = render(values);
    assert.ok(base.ok, base.error);
    for (const name of Object.keys(envOf(base))) {
      // Before 7 Dec 2026 each rendered: the pod carried the name twice and the app took extraEnv's.
      const r = render({ ...values, extraEnv: [{ name, value: 'x' }] });
      assert.equal(r.ok, false, `extraEnv ${name} should fail the render`);
      if (name.startsWith('K8S_')) assert.match(r.error, new RegExp(`extraEnv sets ${name}, which the chart sets itself \\(the pod's metadata\\.\\w+, from the downward API\\): drop it`));
      else assert.match(r.error, new RegExp(`extraEnv sets ${name}, which the chart sets itself \\(from [\\w.]+\\): set [\\w.]+ instead`));
      checked++;
    }
  }
  assert.ok(checked >= 17, `expected every chart variable to be tried; tried ${checked}`);
  const port = render({ extraEnv: [{ name: 'TICKCAST_HTTP_PORT', value: '9000' }] });
  assert.match(port.error, /extraEnv sets TICKCAST_HTTP_PORT, which the chart sets itself \(from config\.http\.port\): set config\.http\.port instead/);
  // The value form of a variable the chart gives as a file: the loader takes the _FILE one, so extraEnv's would be ignored.
  const twin = render({ ...sets[0], extraEnv: [{ name: 'TICKCAST_KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }] });
  assert.match(twin.error, /extraEnv sets TICKCAST_KAFKA_SASL_PASSWORD, which the chart sets itself \(from kafkaAuth\.sasl\.existingSecret\)/);
  // What extraEnv is for: settings the chart does not set.
  const ok = render({ extraEnv: [{ name: 'TICKCAST_BATCHING_MAX_BATCH_SIZE', value: '128' }, { name: 'TICKCAST_KAFKA_SASL_PASSWORD_FILE', value: '/x' }] });
  assert.ok(ok.ok, ok.error);
});

test('contradictory values fail the render with a message that says what to change', { skip }, () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ config: { kafka: { brokers: ['k:9092'] } }, autoscaling: { keda: { enabled: true }, hpa: { enabled: true } } }, /mutually exclusive/],
    [{ autoscaling: { keda: { enabled: true } } }, /needs Kafka: set config\.kafka\.brokers/],
    // HPA and KEDA objects with minReplicas above maxReplicas are refused by the API server, at install.
    [{ autoscaling: { minReplicas: 4, partitionCount: 3, hpa: { enabled: true } } }, /autoscaling\.minReplicas \(4\) exceeds the replica cap min\(autoscaling\.maxReplicas, autoscaling\.partitionCount\) = 3/],
    [{ config: { kafka: { brokers: ['k:9092'] } }, autoscaling: { minReplicas: 3, maxReplicas: 2, keda: { enabled: true } } }, /autoscaling\.minReplicas \(3\) exceeds the replica cap .* = 2/],
    [{ terminationGracePeriodSeconds: 30 }, /terminationGracePeriodSeconds \(30\) must exceed the drain time plus the preStop sleep \(30 s\)/],
    [{ kafkaAuth: { sasl: { enabled: true } } }, /needs kafkaAuth\.sasl\.existingSecret/],
    // OAUTHBEARER without its OIDC client: the pod exited 78 at start (kafka.oidcTokenEndpointUrl), KEDA got empty parameters.
    [{ kafkaAuth: { sasl: { enabled: true, existingSecret: 's', mechanism: 'oauthbearer', oauthbearer: { clientId: 'c' } } } }, /oauthbearer needs kafkaAuth\.sasl\.oauthbearer\.tokenEndpointUrl and \.clientId/],
    [{ kafkaAuth: { sasl: { enabled: true, existingSecret: 's', mechanism: 'oauthbearer', oauthbearer: { tokenEndpointUrl: 'https://idp/token' } } } }, /oauthbearer needs kafkaAuth\.sasl\.oauthbearer\.tokenEndpointUrl and \.clientId/],
    [{ modelStore: { type: 'objectStore' } }, /needs modelStore\.objectStore\.uri/],
    // One pod alone may mount a ReadWriteOncePod claim: the second replica would stay Pending for good.
    [{ modelStore: { type: 'pvc', pvc: { accessModes: ['ReadWriteOncePod'] } } }, /ReadWriteOncePod, which one pod alone may mount, but up to 2 replicas would run \(replicaCount\)/],
    [{ modelStore: { type: 'pvc', pvc: { accessModes: ['ReadWriteOncePod'] } }, autoscaling: { partitionCount: 3, hpa: { enabled: true } } }, /up to 3 replicas would run \(autoscaling\.maxReplicas \/ partitionCount\)/],
    [{ kafkaAuth: { tls: { caSecret: 'ca' } } }, /kafkaAuth\.tls\.caSecret is set but the Kafka client does not use TLS \(security protocol plaintext\): set config\.kafka\.ssl: true/],
    // The app takes an explicit securityProtocol over kafka.ssl, and refuses each of these at start (exit 78).
    [{ config: { kafka: { ssl: true, securityProtocol: 'plaintext' } }, kafkaAuth: { tls: { caSecret: 'ca' } } }, /caSecret is set but the Kafka client does not use TLS \(security protocol plaintext\)/],
    [{ kafkaAuth: { tls: { clientSecret: 'client' } } }, /kafkaAuth\.tls\.clientSecret \(mutual TLS\) is set but the Kafka client does not use TLS/],
    [{ config: { kafka: { securityProtocol: 'sasl_ssl' } } }, /securityProtocol is sasl_ssl but kafkaAuth\.sasl\.enabled is false: .* or use ssl/],
    [{ config: { kafka: { securityProtocol: 'ssl' } }, kafkaAuth: { sasl: { enabled: true, existingSecret: 's' } } }, /kafkaAuth\.sasl\.enabled but config\.kafka\.securityProtocol is ssl: use sasl_ssl/],
    [{ config: { kafka: { securityProtocol: 'tls' } } }, /config\.kafka\.securityProtocol "tls" is not one of auto, plaintext, ssl, sasl_plaintext, sasl_ssl/],
    [{ config: { http: { requireAuthForReads: true } }, apiKeys: { existingSecret: 'k' }, serviceMonitor: { enabled: true } }, /requireAuthForReads makes \/metrics need an API key: set serviceMonitor\.authorization\.secretName/],
    // The compose stack's 5s interval under the default 10s timeout: Prometheus refuses the scrape config.
    [{ serviceMonitor: { enabled: true, interval: '5s' } }, /serviceMonitor\.scrapeTimeout \(10s\) exceeds serviceMonitor\.interval \(5s\)/],
    [{ serviceMonitor: { enabled: true, interval: '1m', scrapeTimeout: '1m500ms' } }, /scrapeTimeout \(1m500ms\) exceeds serviceMonitor\.interval \(1m\)/],
    // Without the chart's ServiceMonitor nothing gives the pods the job the rule selects: it would page forever.
    [{ prometheusRule: { enabled: true } }, /serviceMonitor\.enabled is false: scraped any other way, TickcastTargetDown would fire forever.*set prometheusRule\.rules\.targetDown\.job/],
    // readOnlyRootFilesystem: the first feedback would fail (EROFS) creating the log there.
    [{ config: { feedback: { file: '/data/feedback.jsonl' } } }, /config\.feedback\.file \/data\/feedback\.jsonl is on the read-only root filesystem/],
    [{ config: { feedback: { file: '/var/lib/tickcast/models-old/f.jsonl' } } }, /is on the read-only root filesystem/],
    [{ config: { feedback: { file: '/data/f.jsonl' } }, extraVolumes: [{ name: 'd', emptyDir: {} }], extraVolumeMounts: [{ name: 'd', mountPath: '/data', readOnly: true }] }, /is on the read-only root filesystem/],
  ];
  for (const [values, message] of cases) {
    const r = render(values);
    assert.equal(r.ok, false, `${JSON.stringify(values)} should fail`);
    assert.match(r.error, message);
  }
  for (const ok of [{ serviceMonitor: { enabled: true, interval: '5s', scrapeTimeout: '4s' } }, { serviceMonitor: { enabled: true, interval: '1m30s', scrapeTimeout: '90s' } }, { modelStore: { type: 'pvc', pvc: { accessModes: ['ReadWriteOncePod'] } }, replicaCount: 1 }, { config: { feedback: { file: '/var/lib/tickcast/models/feedback.jsonl' } } }, { config: { feedback: { file: '/data/f.jsonl' } }, extraVolumes: [{ name: 'd', emptyDir: {} }], extraVolumeMounts: [{ name: 'd', mountPath: '/data/' }] }]) {
    const r = render(ok);
    assert.ok(r.ok, `${JSON.stringify(ok)}: ${r.error}`);
  }
  // The ways out: the chart's ServiceMonitor, the job of your own scrape, or no TargetDown rule.
  for (const ok of [{ serviceMonitor: { enabled: true } }, { prometheusRule: { enabled: true, rules: { targetDown: { job: 'kubernetes-pods' } } } }, { prometheusRule: { enabled: true, rules: { targetDown: { enabled: false } } } }]) {
    const r = render({ prometheusRule: { enabled: true }, ...ok });
    assert.ok(r.ok, `${JSON.stringify(ok)}: ${r.error}`);
  }
});

// Before 7 Dec 2026: no ephemeral-storage request or limit though the emptyDirs could hold 3.25Gi
// (the scheduler placed pods on nodes without that disk), no way to pin the image by digest, no NetworkPolicy.
test('ephemeral-storage request and limit = the emptyDirs\' sizeLimits + overhead; an explicit one wins', { skip }, () => {
  const eph = (v: Record<string, unknown>) => {
    const r = render(v);
    assert.ok(r.ok, r.error);
    const res = container(r).resources;
    return [res.requests['ephemeral-storage'], res.limits['ephemeral-storage']];
  };
  assert.deepEqual(eph({}), ['3584Mi', '3584Mi'], 'tmp 256Mi + snapshots 1Gi + models 2Gi + overhead 256Mi');
  assert.deepEqual(eph({ modelStore: { type: 'pvc' }, config: { snapshots: { enabled: false } } }), ['512Mi', '512Mi'], 'only tmp and overhead are emptyDir/logs');
  assert.deepEqual(eph({ modelStore: { type: 'objectStore', objectStore: { uri: 's3://m/t', sizeLimit: '1.5G' } }, tmp: { sizeLimit: 268435456 } }), ['2967Mi', '2967Mi'], '1.5G = 1431Mi (rounded up) + /tmp 268435456 bytes = 256Mi + snapshots 1Gi + overhead');
  assert.deepEqual(eph({ resources: { requests: { memory: '1Gi', 'ephemeral-storage': '1Gi' }, limits: { memory: '2Gi' } } }), ['1Gi', '3584Mi']);
  // A request above the computed sum, with no limit given: until 7 Dec 2026 the limit stayed 3584Mi,
  // below the request, and the API server refused the Deployment (request must be ≤ limit).
  assert.deepEqual(eph({ resources: { requests: { 'ephemeral-storage': '8Gi' } } }), ['8Gi', '8192Mi'], 'the limit is at least the request');
  assert.deepEqual(eph({ resources: { requests: { 'ephemeral-storage': 4000000000 } } }), [4000000000, '3815Mi'], 'a request in bytes, rounded up to Mi');
  assert.deepEqual(eph({ resources: { limits: { 'ephemeral-storage': '1Gi' } } }), ['1024Mi', '1Gi'], 'a limit below the sum: the request is not above it');
  // emptyDirs of extraVolumes fill the same pod budget (a Memory one counts as memory): until 7 Dec 2026 they
  // were left out, so a pod whose own scratch emptyDir passed overhead was evicted over its limit.
  const shm = { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } };
  assert.deepEqual(eph({ extraVolumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }, shm, { name: 'cfg', configMap: { name: 'x' } }] }), ['4608Mi', '4608Mi']);
  const unbounded = container(render({ extraVolumes: [{ name: 'scratch', emptyDir: {} }, shm] })).resources;
  assert.equal(unbounded.requests['ephemeral-storage'], '3584Mi');
  assert.equal(unbounded.limits['ephemeral-storage'], undefined, 'an emptyDir with no sizeLimit: no limit the chart could add up');
  const off = render({ ephemeralStorage: { enabled: false } });
  assert.equal(container(off).resources.limits['ephemeral-storage'], undefined);
  assert.equal(render({ tmp: { sizeLimit: '1Pi' } }).ok, false, 'a unit the chart cannot add up fails the render');
});

test('image.digest pins repository@digest over the tag (and the GPU suffix)', { skip }, () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  assert.equal(container(render({ image: { digest } })).image, `ghcr.io/tickcast/tickcast@${digest}`);
  assert.equal(container(render({ image: { digest }, gpu: { enabled: true } })).image, `ghcr.io/tickcast/tickcast@${digest}`);
  assert.equal(container(render({ image: { tag: '1.2.3' } })).image, 'ghcr.io/tickcast/tickcast:1.2.3');
});

test('topologySpreadConstraints without a labelSelector count the release\'s pods (the selector labels); one given is kept', { skip }, () => {
  // The scheduler counts the pods a constraint's labelSelector matches; none given matches no pod, so the
  // constraint spread nothing, and, being set, it switched the scheduler's default spread off for these pods.
  const zone = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };
  const own = { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { team: 'x' } } };
  const r = render({ topologySpreadConstraints: [zone, own] });
  assert.ok(r.ok, r.error);
  const pod = one(r, 'Deployment').spec.template;
  const [filled, kept] = pod.spec.topologySpreadConstraints;
  assert.ok(filled.labelSelector, 'a constraint without labelSelector spreads nothing');
  assert.deepEqual(filled.labelSelector.matchLabels, one(r, 'Deployment').spec.selector.matchLabels);
  for (const [k, v] of Object.entries(filled.labelSelector.matchLabels)) assert.equal(pod.metadata.labels[k], v, 'it matches the pods');
  assert.deepEqual({ ...filled, labelSelector: undefined }, { ...zone, labelSelector: undefined });
  assert.deepEqual(kept, own, 'an explicit labelSelector is the user\'s');
  assert.equal(one(render(), 'Deployment').spec.template.spec.topologySpreadConstraints, undefined, 'default: the scheduler\'s own spread');
});

test('networkPolicy: off by default; on, ingress to the HTTP port and egress to DNS, the brokers\' ports and OTLP', { skip }, () => {
  assert.ok(!kinds(render()).includes('NetworkPolicy'));
  const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
  const r = render({ networkPolicy: { enabled: true, ingressFrom: from, egress: { extra: [{ ports: [{ port: 443, protocol: 'TCP' }] }] } }, config: { kafka: { brokers: ['kafka-0:9093', 'kafka-1:9093', 'kafka-2'] } } });
  assert.ok(r.ok, r.error);
  const np = one(r, 'NetworkPolicy');
  assert.deepEqual(np.spec.podSelector.matchLabels, one(r, 'Deployment').spec.selector.matchLabels);
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(np.spec.ingress, [{ ports: [{ port: 'http', protocol: 'TCP' }], from }]);
  assert.ok(container(r).ports.some((p: any) => p.name === 'http'));
  const egressPorts = np.spec.egress.map((e: any) => e.ports.map((p: any) => `${p.port}/${p.protocol}`).join(','));
  assert.deepEqual(egressPorts, ['53/UDP,53/TCP', '9093/TCP,9092/TCP', '4317/TCP,4318/TCP', '443/TCP']);
  // Embedded mode (no brokers): no Kafka rule; explicit ports and peers win.
  const embedded = one(render({ networkPolicy: { enabled: true } }), 'NetworkPolicy');
  assert.equal(embedded.spec.egress.length, 2);
  const to = [{ ipBlock: { cidr: '10.1.0.0/16' } }];
  const pinned = one(render({ networkPolicy: { enabled: true, egress: { kafka: { ports: [9094], to } } }, config: { kafka: { brokers: ['k:9093'] } } }), 'NetworkPolicy');
  assert.deepEqual(pinned.spec.egress[1], { ports: [{ port: 9094, protocol: 'TCP' }], to });
  // The app joins the entries with commas (librdkafka's bootstrap.servers), so one entry may hold several
  // brokers, as KAFKA_BROKERS does; SASL_SSL:// and IPv6 [::1]:port name their port last. Until 7 Dec 2026
  // only the entry's last port was allowed (9093 here, 9092 and 9095 blocked).
  const joined = one(render({ networkPolicy: { enabled: true }, config: { kafka: { brokers: ['SASL_SSL://b0:9092, b1:9093', '[::1]:9095 ', '[fd00::2]'] } } }), 'NetworkPolicy');
  assert.deepEqual(joined.spec.egress[1].ports.map((p: any) => p.port), [9092, 9093, 9095]);
});

// Over gRPC the exporter dials the URL's host, and @grpc/grpc-js takes 443 where it names no port (new URL()
// drops :80 from http://, so that too): until 7 Dec 2026 the chart opened 80 there, and the spans were dropped.
test('networkPolicy: egress to the OIDC token endpoint (OAUTHBEARER) and to S3 (objectStore\'s init container)', { skip }, () => {
  // Until 7 Dec 2026 both were left to egress.extra: with the policy on, an OAUTHBEARER pod fetched no token (no
  // Kafka connection) and the objectStore init container reached no S3 (the pod never started).
  const rules = (v: Record<string, unknown>) => {
    const r = render({ networkPolicy: { enabled: true }, ...v });
    assert.ok(r.ok, r.error);
    return one(r, 'NetworkPolicy').spec.egress as any[];
  };
  const ports = (rs: any[]) => rs.map((x) => (x.ports ?? []).map((p: any) => p.port));
  const oauth = (tokenEndpointUrl: string) => ({
    config: { kafka: { brokers: ['kafka:9093'], ssl: true } },
    kafkaAuth: { sasl: { enabled: true, mechanism: 'oauthbearer', existingSecret: 'oidc', oauthbearer: { tokenEndpointUrl, clientId: 'tickcast' } } },
  });
  assert.deepEqual(ports(rules(oauth('https://keycloak.example/realms/kafka/protocol/openid-connect/token'))), [[53, 53], [9093], [4317, 4318], [443]]);
  assert.deepEqual(ports(rules(oauth('http://keycloak.auth:8080/realms/kafka/protocol/openid-connect/token'))).at(-1), [8080]);
  const narrowed = rules({ ...oauth('https://idp.example/token'), networkPolicy: { enabled: true, egress: { oidc: { ports: [8443], to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] } } } }).at(-1);
  assert.deepEqual(narrowed, { ports: [{ port: 8443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] });
  const s3 = (endpoint: string) => ({ modelStore: { type: 'objectStore', objectStore: { uri: 's3://models/tickcast', endpoint } } });
  assert.deepEqual(ports(rules(s3(''))).at(-1), [443], 'AWS S3 (and STS for IRSA)');
  assert.deepEqual(ports(rules(s3('http://minio.minio:9000'))).at(-1), [9000]);
  assert.deepEqual(ports(rules(s3('https://s3.eu.example'))).at(-1), [443]);
  // Neither in use: no such rule (defaults: DNS and OTLP only).
  assert.deepEqual(ports(rules({})), [[53, 53], [4317, 4318]]);
  // An endpoint the chart cannot take a port from fails the render, naming the value to set.
  const bad = render({ networkPolicy: { enabled: true }, ...s3('minio') });
  assert.equal(bad.ok, false);
  assert.match(bad.error, /networkPolicy\.egress\.objectStore\.ports/);
});

test('networkPolicy: OTLP over gRPC to an endpoint without a port opens 443, the port the exporter dials', { skip }, () => {
  const on = { enabled: true };
  const otlpPorts = (r: Rendered) => { assert.ok(r.ok, r.error); return one(r, 'NetworkPolicy').spec.egress.map((e: any) => e.ports.map((p: any) => p.port).join(',')).slice(1); };
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'http://otel-collector.observability', otlpProtocol: 'grpc' } } })), ['443']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'http://otel-collector.observability:80', otlpProtocol: 'grpc' } } })), ['443']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'otel-collector.observability', otlpProtocol: 'grpc' } } })), ['443']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'http://otel-collector.observability:4317', otlpProtocol: 'grpc' } } })), ['4317']);
  // The protocol from extraEnv, as the app reads it (TICKCAST_ over the traces variable over the general one).
  const grpcEnv = [{ name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' }, { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://c' }];
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: grpcEnv })), ['443']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: [...grpcEnv, { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', value: 'http/protobuf' }] })), ['80']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: [{ name: 'TICKCAST_TELEMETRY_OTLP_PROTOCOL', value: 'grpc' }], config: { telemetry: { otlpEndpoint: 'http://c' } } })), ['443']);
  // Over HTTP the scheme's port, as before.
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'http://c/v1/traces' } } })), ['80']);
});

// Until 7 Dec 2026 a protocol the chart cannot read (extraEnv's valueFrom: a Secret, a ConfigMap) was taken as
// HTTP: http://collector opened 80, and a gRPC exporter, which dials 443 there, had its spans dropped.
test('networkPolicy: an OTLP protocol from a Secret opens the ports of both protocols; egress.otlp.ports narrows them', { skip }, () => {
  const on = { enabled: true };
  const otlpPorts = (r: Rendered) => { assert.ok(r.ok, r.error); return one(r, 'NetworkPolicy').spec.egress.map((e: any) => e.ports.map((p: any) => p.port).join(',')).slice(1); };
  const fromSecret = [{ name: 'OTEL_EXPORTER_OTLP_PROTOCOL', valueFrom: { secretKeyRef: { name: 'otel', key: 'protocol' } } }];
  const telemetry = (otlpEndpoint: string) => ({ telemetry: { otlpEndpoint } });
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: fromSecret, config: telemetry('http://otel-collector.observability') })), ['80,443']);
  // The URL's own port is the port over either protocol; https:// is 443 over both.
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: fromSecret, config: telemetry('http://otel-collector.observability:4317') })), ['4317']);
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: fromSecret, config: telemetry('https://otlp.example.com') })), ['443']);
  // A bare host: HTTP takes no port from it, gRPC dials 443.
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: fromSecret, config: telemetry('otel-collector.observability') })), ['443']);
  // No endpoint the chart sees: the collector's standard ports, as with a known protocol.
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: fromSecret })), ['4317,4318']);
  // The explicit choice wins.
  assert.deepEqual(otlpPorts(render({ networkPolicy: { enabled: true, egress: { otlp: { ports: [4317] } } }, extraEnv: fromSecret, config: telemetry('http://c') })), ['4317']);
  // A readable protocol keeps its one port.
  assert.deepEqual(otlpPorts(render({ networkPolicy: on, extraEnv: [{ name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' }], config: telemetry('http://c') })), ['443']);
});

test('networkPolicy: OTLP egress to the port of the configured endpoint; brokers and endpoint from extraEnv count, unreadable ones refuse the render', { skip }, () => {
  const on = { enabled: true };
  const ports = (r: Rendered) => one(r, 'NetworkPolicy').spec.egress.map((e: any) => e.ports.map((p: any) => p.port).join(','));
  // Until 7 Dec 2026 OTLP egress was 4317 and 4318 whatever the endpoint: a collector behind an https gateway (443) got no spans.
  assert.deepEqual(ports(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'https://otlp.example.com/v1/traces' } } })), ['53,53', '443']);
  assert.deepEqual(ports(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'http://otel-collector.observability:4318/v1/traces' } } })), ['53,53', '4318']);
  // The OTEL_* variables the app reads (src/config/otel-env.ts), the traces one over the base one.
  const otelEnv = [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://c:4317' }, { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: 'http://c:14318/v1/traces' }];
  assert.deepEqual(ports(render({ networkPolicy: on, extraEnv: otelEnv, config: { telemetry: { otlpEndpoint: 'http://file:4318/v1/traces' } } })), ['53,53', '14318']);
  // No endpoint the chart sees (the OpenTelemetry Operator may inject one): the collector's standard ports, as before.
  assert.deepEqual(ports(render({ networkPolicy: on })), ['53,53', '4317,4318']);
  // Until 7 Dec 2026 brokers given through extraEnv (KAFKA_BROKERS, as docs/configuration.md offers) got no egress rule at all.
  const envBrokers = render({ networkPolicy: on, extraEnv: [{ name: 'KAFKA_BROKERS', value: 'kafka-0:9093,kafka-1:9094' }] });
  assert.ok(envBrokers.ok, envBrokers.error);
  assert.deepEqual(ports(envBrokers), ['53,53', '9093,9094', '4317,4318']);
  const tickcastWins = render({ networkPolicy: on, extraEnv: [{ name: 'KAFKA_BROKERS', value: 'a:9093' }, { name: 'TICKCAST_KAFKA_BROKERS', value: 'b:9095' }], config: { kafka: { brokers: ['c:9092'] } } });
  assert.deepEqual(ports(tickcastWins)[1], '9095');
  // Values the chart cannot read (a Secret, a file): the render says which ports to set, and takes them when set.
  const fromSecret = [{ name: 'KAFKA_BROKERS', valueFrom: { secretKeyRef: { name: 'kafka', key: 'brokers' } } }];
  const refused = render({ networkPolicy: on, extraEnv: fromSecret });
  assert.equal(refused.ok, false);
  assert.match(refused.error, /networkPolicy\.egress\.kafka\.ports/);
  assert.deepEqual(ports(render({ networkPolicy: { enabled: true, egress: { kafka: { ports: [9093] } } }, extraEnv: fromSecret })), ['53,53', '9093', '4317,4318']);
  assert.match(render({ networkPolicy: on, extraEnv: [{ name: 'TICKCAST_KAFKA_BROKERS_FILE', value: '/etc/kafka/brokers' }] }).error, /egress\.kafka\.ports/);
  assert.match(render({ networkPolicy: on, extraEnv: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', valueFrom: { configMapKeyRef: { name: 'otel', key: 'endpoint' } } }] }).error, /egress\.otlp\.ports/);
  assert.match(render({ networkPolicy: on, config: { telemetry: { otlpEndpoint: 'collector' } } }).error, /names no port/);
  // KEDA's lag trigger reads the same brokers.
  const keda = render({ autoscaling: { keda: { enabled: true } }, extraEnv: [{ name: 'KAFKA_BROKERS', value: 'kafka-0:9093' }] });
  assert.ok(keda.ok, keda.error);
  assert.equal(one(keda, 'ScaledObject').spec.triggers[0].metadata.bootstrapServers, 'kafka-0:9093');
  assert.match(render({ autoscaling: { keda: { enabled: true } }, extraEnv: fromSecret }).error, /autoscaling\.keda\.bootstrapServers/);
});

test('spans name their pod: OTEL_RESOURCE_ATTRIBUTES carries k8s.namespace.name and k8s.pod.name, config\'s attributes after', { skip }, () => {
  // Until 7 Dec 2026 the resource had service.name and version only: the spans of every replica and release looked alike.
  const env = (r: Rendered) => container(r).env as Array<{ name: string; value?: string; valueFrom?: any }>;
  const attrs = (r: Rendered) => env(r).filter((e) => e.name === 'OTEL_RESOURCE_ATTRIBUTES').map((e) => e.value);
  const plain = render();
  assert.deepEqual(attrs(plain), ['k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.pod.name=$(K8S_POD_NAME)']);
  // $(VAR) expands only to variables listed before it.
  const names = env(plain).map((e) => e.name);
  assert.ok(names.indexOf('K8S_POD_NAME') < names.indexOf('OTEL_RESOURCE_ATTRIBUTES') && names.indexOf('K8S_NAMESPACE_NAME') < names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));
  assert.deepEqual(env(plain).find((e) => e.name === 'K8S_POD_NAME')!.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  // The variable replaces config.telemetry.resourceAttributes in the app (src/config/otel-env.ts): the chart carries them over.
  const withConfig = attrs(render({ config: { telemetry: { resourceAttributes: 'deployment.environment=prod' } } }))[0]!;
  assert.equal(withConfig, 'k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.pod.name=$(K8S_POD_NAME),deployment.environment=prod');
  assert.deepEqual(parseResourceAttributes(withConfig.replaceAll('$(K8S_NAMESPACE_NAME)', 'obs').replaceAll('$(K8S_POD_NAME)', 'tickcast-7d9-x2')),
    { 'k8s.namespace.name': 'obs', 'k8s.pod.name': 'tickcast-7d9-x2', 'deployment.environment': 'prod' });
  // extraEnv's OTEL_RESOURCE_ATTRIBUTES would be a second one: the render says where the attributes go.
  assert.match(render({ extraEnv: [{ name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'team=obs' }] }).error, /set config\.telemetry\.resourceAttributes instead/);
  // TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES wins over the variable in the app: then the chart leaves it out.
  const own = render({ extraEnv: [{ name: 'TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES', value: 'k8s.pod.name=$(K8S_POD_NAME),team=obs' }] });
  assert.ok(own.ok, own.error);
  assert.deepEqual(attrs(own), []);
});

// Until 7 Dec 2026 config's attribute values went into the variable as written, and the kubelet expands $(VAR)
// and reads $$ as $ there: "owner=$(K8S_POD_NAME)" became the pod's name, "cost=$$5" "$5" (the chart's own
// $(K8S_*) expand, as meant).
test('a $ in config.telemetry.resourceAttributes reaches the app as written, through the kubelet\'s $(VAR) expansion', { skip }, () => {
  const config = { telemetry: { resourceAttributes: 'owner=$(K8S_POD_NAME),cost=$$5,price=$x,tail=$' } };
  const r = render({ config });
  assert.ok(r.ok, r.error);
  const value = envOf(r).OTEL_RESOURCE_ATTRIBUTES as string;
  assert.deepEqual(parseResourceAttributes(kubeletExpand(value, POD_VARS)),
    { 'k8s.namespace.name': 'obs', 'k8s.pod.name': 'tickcast-7d9-x2', owner: '$(K8S_POD_NAME)', cost: '$$5', price: '$x', tail: '$' });
  assert.deepEqual(parseResourceAttributes(podConfig(r).telemetry.resourceAttributes).owner, '$(K8S_POD_NAME)');
});

// Until 7 Dec 2026 (the day the chart began writing OTEL_RESOURCE_ATTRIBUTES) a service.name in
// config.telemetry.resourceAttributes went into that variable, which the app reads as the service name
// over the config file's (otel-env.ts): config.serviceName, which wins over the attribute without the
// chart (tracing.ts), lost to it in the pod, in the spans and the log lines' name.
test('through the chart the app loads the service name and resource attributes it loads from the config file alone', { skip }, () => {
  const config = { serviceName: 'tickcast-eu', telemetry: { resourceAttributes: 'service.name=billing, team=obs,deployment.environment=prod' } };
  const r = render({ config });
  assert.ok(r.ok, r.error);
  const cfg = podConfig(r);
  assert.equal(cfg.serviceName, 'tickcast-eu');
  assert.deepEqual(parseResourceAttributes(cfg.telemetry.resourceAttributes),
    { 'k8s.namespace.name': 'obs', 'k8s.pod.name': 'tickcast-7d9-x2', team: 'obs', 'deployment.environment': 'prod' });
});
