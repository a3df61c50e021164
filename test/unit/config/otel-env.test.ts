import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.ts';
import { parseResourceAttributes, tracesUrlFromBase } from '../../../src/config/otel-env.ts';

test('OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: /v1/traces is appended (spec), with or without a trailing slash', () => {
  assert.equal(loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' } }).telemetry.otlpEndpoint, 'http://collector:4318/v1/traces');
  assert.equal(loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/prefix/' } }).telemetry.otlpEndpoint, 'https://otel.example/prefix/v1/traces');
  assert.equal(tracesUrlFromBase('http://c:4318//'), 'http://c:4318/v1/traces');
});

test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is a full URL used as is and beats the base; TICKCAST_* beats both', () => {
  const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom/path' };
  assert.equal(loadConfig({ env: both }).telemetry.otlpEndpoint, 'http://traces:4318/custom/path');
  assert.equal(loadConfig({ env: { ...both, TICKCAST_TELEMETRY_OTLP_ENDPOINT: 'http://mine:4318/v1/traces' } }).telemetry.otlpEndpoint, 'http://mine:4318/v1/traces');
  assert.equal(loadConfig({ env: {} }).telemetry.otlpEndpoint, '', 'tracing stays off without any endpoint');
});

test('OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, sets the service name; TICKCAST_SERVICE_NAME wins', () => {
  assert.equal(loadConfig({ env: { OTEL_SERVICE_NAME: 'svc-a', OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc-b' } }).serviceName, 'svc-a');
  assert.equal(loadConfig({ env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc-b,team=ml' } }).serviceName, 'svc-b');
  assert.equal(loadConfig({ env: { OTEL_SERVICE_NAME: 'svc-a', TICKCAST_SERVICE_NAME: 'mine' } }).serviceName, 'mine');
  assert.equal(loadConfig({ env: {} }).serviceName, 'tickcast');
});

test('OTEL_RESOURCE_ATTRIBUTES: percent-decoded k=v list; a malformed list is a config error naming the variable', () => {
  const c = loadConfig({ env: { OTEL_RESOURCE_ATTRIBUTES: ' deployment.environment.name = prod , team=ml%2Fforecast,,k8s.pod.name=p-1' } });
  assert.deepEqual(parseResourceAttributes(c.telemetry.resourceAttributes), { 'deployment.environment.name': 'prod', team: 'ml/forecast', 'k8s.pod.name': 'p-1' });
  assert.throws(() => loadConfig({ env: { OTEL_RESOURCE_ATTRIBUTES: 'novalue' } }), /OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value/);
  assert.throws(() => loadConfig({ env: { OTEL_RESOURCE_ATTRIBUTES: 'a=%E0%A4%A' } }), /OTEL_RESOURCE_ATTRIBUTES: the value of "a" is not valid percent-encoding/);
  assert.equal(loadConfig({ env: { TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES: 'a=1', OTEL_RESOURCE_ATTRIBUTES: 'b=2' } }).telemetry.resourceAttributes, 'a=1');
});

test('telemetry.resourceAttributes from the file or TICKCAST_* is checked as OTEL_RESOURCE_ATTRIBUTES is: TC_CONFIG_INVALID naming the key', () => {
  // Before 7 Dec 2026 the config loaded and main.ts threw a plain Error at start ('"team" is not key=value', no code, no key).
  assert.throws(
    () => loadConfig({ env: { TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES: 'team' } }),
    (err: unknown) => {
      assert.equal((err as { code?: unknown }).code, 'TC_CONFIG_INVALID');
      assert.match(String((err as Error).message), /telemetry\.resourceAttributes \(TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES\): "team" is not key=value \(expected k=v,k2=v2/);
      return true;
    },
  );
});

test('OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL sets telemetry.otlpProtocol (default http/protobuf); grpc takes the base endpoint as is', () => {
  assert.equal(loadConfig({ env: {} }).telemetry.otlpProtocol, 'http/protobuf');
  const grpc = loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' } }).telemetry;
  assert.deepEqual({ protocol: grpc.otlpProtocol, endpoint: grpc.otlpEndpoint }, { protocol: 'grpc', endpoint: 'http://collector:4317' });
  assert.equal(loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } }).telemetry.otlpProtocol, 'http/json');
  assert.equal(loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', TICKCAST_TELEMETRY_OTLP_PROTOCOL: 'http/protobuf' } }).telemetry.otlpProtocol, 'http/protobuf');
  assert.throws(() => loadConfig({ env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' } }), /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http" is not one of http\/protobuf, http\/json, grpc/);
});

test('OTEL_TRACES_EXPORTER=none turns tracing off over an OTEL or file endpoint; a list without otlp is a config error; TICKCAST_* still wins', () => {
  const ep = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(loadConfig({ env: { ...ep, OTEL_TRACES_EXPORTER: 'none' } }).telemetry.otlpEndpoint, '');
  assert.equal(loadConfig({ env: { ...ep, OTEL_TRACES_EXPORTER: ' otlp ' } }).telemetry.otlpEndpoint, 'http://collector:4318/v1/traces');
  assert.equal(loadConfig({ env: { ...ep, OTEL_TRACES_EXPORTER: 'none', TICKCAST_TELEMETRY_OTLP_ENDPOINT: 'http://mine:4318/v1/traces' } }).telemetry.otlpEndpoint, 'http://mine:4318/v1/traces');
  assert.throws(() => loadConfig({ env: { ...ep, OTEL_TRACES_EXPORTER: 'zipkin,console' } }), /OTEL_TRACES_EXPORTER: "zipkin,console": tickcast exports traces over OTLP only \(otlp, or none to turn tracing off\)/);
});

test('OTEL_PROPAGATORS: the values the Node SDK ships pass; xray, ottrace or a typo is a config error naming what to use', () => {
  for (const ok of ['tracecontext,baggage', ' b3multi , tracecontext ', 'b3', 'jaeger', 'none', '']) assert.doesNotThrow(() => loadConfig({ env: { OTEL_PROPAGATORS: ok } }), ok);
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.throws(() => loadConfig({ env: { ...on, OTEL_PROPAGATORS: 'tracecontext,xray,tracecontxt' } }), /OTEL_PROPAGATORS: "xray", "tracecontxt" not available in tickcast; use tracecontext, baggage, b3, b3multi, jaeger, none/);
  assert.throws(() => loadConfig({ env: { TICKCAST_TELEMETRY_OTLP_ENDPOINT: 'http://c:4318/v1/traces', OTEL_PROPAGATORS: 'xray' } }), /OTEL_PROPAGATORS: "xray"/, 'tracing on through tickcast\'s own setting');
});

// The variable is read only while tracing runs (src/telemetry/trace-context.ts): a pod given
// OTEL_PROPAGATORS=tracecontext,baggage,xray by a namespace-wide injection (the OpenTelemetry
// Operator's Instrumentation, AWS Distro) but no trace endpoint must start, as it did before 7 Dec 2026.
test('OTEL_PROPAGATORS with a value tickcast lacks does not stop a start with tracing off (no endpoint, OTEL_TRACES_EXPORTER=none, OTEL_SDK_DISABLED)', () => {
  assert.doesNotThrow(() => loadConfig({ env: { OTEL_PROPAGATORS: 'tracecontext,baggage,xray' } }));
  assert.doesNotThrow(() => loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none', OTEL_PROPAGATORS: 'xray' } }));
  assert.doesNotThrow(() => loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true', OTEL_PROPAGATORS: 'xray' } }));
});

// docs/configuration.md's table of OpenTelemetry variables is where an operator looks (it names
// src/config/otel-env.ts). Until 7 Dec 2026 (02:15) it lacked OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL
// and OTEL_TRACES_EXPORTER, read there since that day, and said OTEL_EXPORTER_OTLP_ENDPOINT always
// gets /v1/traces appended, which over gRPC it does not.
test("every OTEL_* variable src/config/otel-env.ts reads has a row in docs/configuration.md's table, and the base endpoint's row says what gRPC does", () => {
  const code = readFileSync(fileURLToPath(new URL('../../../src/config/otel-env.ts', import.meta.url)), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const read = [...new Set([...code.matchAll(/(?:env\.|')(OTEL_[A-Z_]+)/g)].map((m) => m[1]))].sort();
  assert.ok(read.length >= 7, read.join(', '));
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url)), 'utf8');
  const rows = doc.split('\n').filter((l) => l.startsWith('| `OTEL_'));
  assert.deepEqual(read.filter((v) => !rows.some((r) => r.split('|')[1].includes(`\`${v}\``))), [], 'variables read but not in the table');
  const base = rows.find((r) => r.startsWith('| `OTEL_EXPORTER_OTLP_ENDPOINT`'));
  assert.match(base ?? '', /grpc/i);
  assert.equal(loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }).telemetry.otlpEndpoint, 'http://c:4317');
});
