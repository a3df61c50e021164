/**
 * deploy/compose/docker-compose.yml without a Docker engine: it parses, services depend on
 * services that exist, bind-mounted paths exist in the repo, Kafka runs in KRaft mode with a
 * valid cluster id, the topics the service uses are created, tickcast gets only config names
 * the loader accepts, and Prometheus/Grafana are wired to the rules and dashboard files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, read, readYaml } from './repo.ts';
import { unknownTickcastEnv } from './env-names.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { loadConfig } from '../../../src/config/load.ts';

const COMPOSE_DIR = join(ROOT, 'deploy/compose');
const compose = readYaml('deploy/compose/docker-compose.yml');
const services = compose.services as Record<string, any>;

test('services and their dependencies exist; required services are present', () => {
  for (const name of ['kafka', 'kafka-init', 'tickcast', 'replay', 'prometheus', 'grafana', 'jaeger']) assert.ok(services[name], `service ${name}`);
  for (const [name, svc] of Object.entries(services)) {
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
    for (const d of deps) assert.ok(services[d], `${name} depends on unknown service ${d}`);
  }
  assert.equal(services.tickcast.depends_on['kafka-init'].condition, 'service_completed_successfully');
});

test('bind mounts and build contexts point at files in the repository', () => {
  let binds = 0;
  for (const [name, svc] of Object.entries(services)) {
    for (const v of svc.volumes ?? []) {
      const src = String(v).split(':')[0];
      if (!src.startsWith('.')) continue; // named volume
      binds++;
      assert.ok(existsSync(resolve(COMPOSE_DIR, src)), `${name}: ${src} does not exist`);
    }
    if (svc.build) assert.ok(existsSync(join(resolve(COMPOSE_DIR, svc.build.context), 'Dockerfile')), `${name}: build context has no Dockerfile`);
  }
  assert.ok(binds >= 4);
});

test('Kafka runs in KRaft mode with a valid cluster id and listeners the other services use', () => {
  const env = services.kafka.environment;
  assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller');
  assert.equal(Buffer.from(env.CLUSTER_ID, 'base64url').length, 16, 'CLUSTER_ID must be a base64url-encoded UUID (22 chars)');
  assert.match(env.KAFKA_CONTROLLER_QUORUM_VOTERS, new RegExp(`^${env.KAFKA_NODE_ID}@kafka:9093$`));
  assert.match(env.KAFKA_ADVERTISED_LISTENERS, /PLAINTEXT:\/\/kafka:9092/);
  assert.equal(services.tickcast.environment.TICKCAST_KAFKA_BROKERS, 'kafka:9092');
  assert.match(String(services.kafka.image), /^apache\/kafka:/);
});

test('kafka-init creates every topic tickcast reads or writes', () => {
  const script = services['kafka-init'].command.join('\n');
  const created = [...script.matchAll(/([\w.]+):(\d+)/g)].map((m) => m[1]).concat([...script.matchAll(/--topic ([\w.-]+)/g)].map((m) => m[1]));
  const defaults = configSchema.parse({}).topics;
  const env = services.tickcast.environment;
  const used = {
    ticks: env.TICKCAST_TOPICS_TICKS ?? defaults.ticks,
    forecasts: env.TICKCAST_TOPICS_FORECASTS ?? defaults.forecasts,
    anomalies: env.TICKCAST_TOPICS_ANOMALIES ?? defaults.anomalies,
    dlq: env.TICKCAST_TOPICS_DLQ ?? defaults.dlq,
    ...(env.TICKCAST_TOPICS_ALERT_STATE ? { alertState: env.TICKCAST_TOPICS_ALERT_STATE } : {}),
  };
  for (const t of Object.values(used)) assert.ok(created.includes(t), `topic ${t} is not created by kafka-init`);
  assert.match(script, /--if-not-exists/, 'restarts of the stack must not fail on existing topics');
  // Compose doubles "$" so the shell, not compose, expands these.
  assert.doesNotMatch(script, /(?<!\$)\$\{spec/);
});

test('alerts open on a partition that moves are handed over: topics.alertState is set, its topic compacted with as many partitions as ticks', () => {
  // The service's default is off (docs/reliability.md § Open alerts that follow their partition,
  // "Default"): the stack that creates its own topics turns it on, so a pager fed from it gets the
  // `moved` resolve instead of an alert left firing after a rebalance.
  const script = services['kafka-init'].command.join('\n');
  const topic = services.tickcast.environment.TICKCAST_TOPICS_ALERT_STATE;
  assert.ok(topic, 'TICKCAST_TOPICS_ALERT_STATE is set');
  const create = script.split(/\n(?!\s*--)/).map((l: string) => l.replace(/\\\n\s*/g, ' ')).find((l: string) => l.includes(`--topic ${topic} `));
  assert.ok(create, `kafka-init creates ${topic}`);
  assert.match(create, /--config cleanup\.policy=compact/);
  const ticks = Number(/\bticks:(\d+)/.exec(script)?.[1]);
  assert.ok(Number(/--partitions (\d+)/.exec(create)?.[1]) >= ticks, 'at least as many partitions as ticks (else the start refuses: TC_ALERT_STATE_PARTITIONS)');
});

test('tickcast and replay get only environment names the config loader accepts', () => {
  assert.deepEqual(unknownTickcastEnv(read('deploy/compose/docker-compose.yml')), []);
});

test('tickcast runs hardened: read-only root, writable /tmp, no capabilities, grace above the drain', () => {
  const t = services.tickcast;
  assert.equal(t.read_only, true);
  assert.ok(t.tmpfs.some((x: string) => x.startsWith('/tmp')));
  assert.deepEqual(t.cap_drop, ['ALL']);
  const drainS = Number(t.environment.TICKCAST_SHUTDOWN_GRACE_MS) / 1000;
  assert.ok(Number.parseInt(t.stop_grace_period, 10) > drainS, 'stop_grace_period must exceed the drain time');
});

test('Prometheus loads the rules directory and scrapes tickcast; Grafana gets the datasource and dashboard', () => {
  const prom = readYaml('deploy/prometheus/prometheus.yml');
  assert.ok(prom.rule_files.includes('/etc/prometheus/rules/*.yml'));
  assert.ok(services.prometheus.volumes.includes('../prometheus/rules:/etc/prometheus/rules:ro'));
  assert.ok(existsSync(join(ROOT, 'deploy/prometheus/rules/tickcast.rules.yml')), 'rules file matches the *.yml glob');
  const targets = prom.scrape_configs.find((s: any) => s.job_name === 'tickcast').static_configs[0].targets;
  assert.deepEqual(targets, ['tickcast:8080']);
  const ds = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
  assert.equal(ds.url, 'http://prometheus:9090');
  // The tick→forecast histogram's exemplars are dropped at scrape unless exemplar storage is on
  // (a feature flag in Prometheus 2.x and 3.x); before 7 Dec 2026 the compose stack had it off.
  const features = services.prometheus.command.filter((a: string) => a.startsWith('--enable-feature=')).flatMap((a: string) => a.slice('--enable-feature='.length).split(','));
  assert.ok(features.includes('exemplar-storage'), `Prometheus features: ${features.join(', ') || 'none'}`);
  const provider = readYaml('deploy/grafana/provisioning/dashboards/tickcast.yml').providers[0];
  assert.ok(services.grafana.volumes.includes(`../grafana/dashboards:${provider.options.path}:ro`));
  const dash = JSON.parse(read('deploy/grafana/dashboards/tickcast.json'));
  assert.ok(dash.templating.list.some((v: any) => v.type === 'datasource' && v.query === ds.type));
});

const PRODUCER = 'load/produce.ts';
test('the replay service runs the producer script', { skip: !existsSync(join(ROOT, PRODUCER)) && `${PRODUCER} not written yet` }, () => {
  const cmd = services.replay.command as string[];
  assert.ok(cmd.includes(PRODUCER));
  const src = read(PRODUCER);
  for (const flag of cmd.filter((a) => a.startsWith('--') && a !== '--import')) {
    assert.ok(src.includes(flag.slice(2)), `${PRODUCER} does not seem to read ${flag}`);
  }
});

// docker-compose v1 (Debian: apt-get install docker-compose) validates against its compose schema
// without a Docker daemon. It predates the top-level `name:` key, so that line is left out.
const composeV1 = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
test('docker-compose config accepts the file (schema check, no daemon)', { skip: !composeV1 && 'docker-compose not on PATH' }, () => {
  const text = read('deploy/compose/docker-compose.yml');
  assert.match(text, /^name: tickcast$/m);
  const r = spawnSync('docker-compose', ['-f', '-', '--project-directory', COMPOSE_DIR, 'config', '-q'], {
    input: text.replace(/^name: tickcast\n/m, ''),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
});

// Until 7 Dec 2026 the stack had no tracing backend: tickcast ran with tracing off, and the
// exemplars' trace ids on the latency panel led nowhere. Checked on the file (no Docker engine here).
test('tickcast exports its spans to the Jaeger service over OTLP, and Grafana links exemplars to it', () => {
  const jaeger = services.jaeger;
  assert.match(jaeger.image, /^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
  assert.equal(jaeger.environment.COLLECTOR_OTLP_ENABLED, 'true');
  // In-memory Jaeger keeps every trace by default (no cap): with replay running without end and a trace per
  // consumed chunk, it grew until the host ran out of memory. Until the review of 7 Dec 2026 no cap was set.
  const cap = Number(jaeger.environment.MEMORY_MAX_TRACES);
  assert.ok(Number.isInteger(cap) && cap > 0, `MEMORY_MAX_TRACES caps the in-memory store (got ${jaeger.environment.MEMORY_MAX_TRACES})`);
  // The endpoint as the app resolves it from the compose environment (OTEL_* and TICKCAST_* alike).
  const env = Object.fromEntries(Object.entries(services.tickcast.environment).map(([k, v]) => [k, String(v)]));
  const { otlpEndpoint, otlpProtocol } = loadConfig({ env }).telemetry;
  assert.ok(otlpEndpoint, 'tickcast has an OTLP endpoint (tracing on)');
  const url = new URL(otlpEndpoint);
  assert.equal(url.hostname, 'jaeger');
  // Jaeger's OTLP receivers: 4317 gRPC, 4318 HTTP (/v1/traces).
  assert.equal(url.port, otlpProtocol === 'grpc' ? '4317' : '4318');
  if (otlpProtocol !== 'grpc') assert.equal(url.pathname, '/v1/traces');
  assert.ok('jaeger' in services.tickcast.depends_on, 'tickcast starts after jaeger');
  // Grafana: a Jaeger data source, and the Prometheus one's exemplar label (the one the app writes) opens it.
  const sources = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources as any[];
  const jaegerDs = sources.find((d) => d.type === 'jaeger');
  assert.equal(jaegerDs?.url, 'http://jaeger:16686');
  const dest = sources.find((d) => d.type === 'prometheus').jsonData.exemplarTraceIdDestinations[0];
  assert.equal(dest.datasourceUid, jaegerDs.uid);
  assert.match(read('src/telemetry/pipeline-observer.ts'), new RegExp(`exemplarLabels: sc \\? \\{ ${dest.name}:`));
  assert.ok(services.grafana.depends_on.includes('jaeger'));
});
