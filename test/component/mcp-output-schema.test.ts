/**
 * Every MCP tool declares an outputSchema (MCP 2025-06-18 structured content), and what each tool
 * returns through the real app — a model forecast, alerts, feedback, incidents, band quality — is
 * valid against the schema it declares, checked by a strict JSON Schema validator (no unknown
 * keywords, no dangling $ref) and by the SDK client itself, which validates structuredContent
 * against the listed outputSchema. The text content still carries the same JSON for older clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import type { SnapshotStatus } from '../../src/pipeline/snapshot/status.ts';
import { standalone } from '../../src/adapters/http/tool-output-schemas.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const SERIES = [['cpu-a', 'a'], ['mem-a', 'a'], ['cpu-b', 'b']] as const;
const SPIKES: Record<string, number> = { 'cpu-a': 600, 'mem-a': 602, 'cpu-b': 601 };

function records(from: number, to: number, offset: number): RawRecord[] {
  const recs: RawRecord[] = [];
  for (let i = from; i < to; i++) {
    SERIES.forEach(([id, host], s) => {
      let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
      if (SPIKES[id] === i) v += 80;
      recs.push({ key: null, value: Buffer.from(JSON.stringify({ series: id, ts: T0 + i * MIN, value: v, labels: { host } })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
    });
  }
  return recs;
}

test('every tool declares an outputSchema, and each real result is valid against it (strict validator and the SDK client)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-mcp-out-'));
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const overrides = { feedback: { file: join(dir, 'feedback.jsonl') }, http: { allowUnauthenticatedMutations: true }, incidents: { groupBy: 'label' as const, label: 'host', spanMs: 5 * MIN } };
  const app = await startTestApp(overrides, { sink, source: idleSource });
  const client = new Client({ name: 'schema-check', version: '1' });
  try {
    for (let k = 0; k < 700; k += 50) await app.pipeline.handle(records(k, k + 50, k * SERIES.length));
    const alert = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value))).find((a) => a.kind === 'alert' && a.state === 'firing');
    assert.ok(alert, 'a spike alerted');

    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app.address()!)));
    const { tools } = await client.listTools(); // the SDK client now checks each structuredContent against the listed outputSchema
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    const validators = new Map(tools.map((t) => {
      assert.equal(t.outputSchema?.type, 'object', `${t.name} declares an object outputSchema`);
      return [t.name, ajv.compile(t.outputSchema!)] as const;
    }));

    const calls: Array<[string, Record<string, unknown>]> = [
      ['forecast', { series: 'cpu-a', horizon: 2 }],
      ['forecast', { window: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] }],
      ['explain_forecast', { series: 'mem-a' }],
      ['list_series', { limit: 2 }],
      ['list_series', { offset: 2 }],
      ['recent_anomalies', { limit: 50 }],
      ['give_alert_feedback', { alertId: alert.id, verdict: 'expected', note: 'maintenance', durationMs: 3_600_000 }],
      ['list_alert_feedback', {}],
      ['give_alert_feedback', { alertId: alert.id, verdict: 'clear' }],
      ['list_incidents', {}],
      ['band_quality', { limit: 3 }],
    ];
    const seen = new Set<string>();
    for (const [name, args] of calls) {
      const res = await client.callTool({ name, arguments: args });
      assert.notEqual(res.isError, true, `${name}: ${JSON.stringify(res.content)}`);
      const validate = validators.get(name)!;
      assert.ok(validate(res.structuredContent), `${name} ${JSON.stringify(args)}: ${ajv.errorsText(validate.errors)}`);
      assert.deepEqual(JSON.parse((res.content as Array<{ text: string }>)[0].text), res.structuredContent, `${name}: the text content is the same JSON`);
      seen.add(name);
    }
    // Not empty answers: the lists hold what the schema describes.
    const incidents = await client.callTool({ name: 'list_incidents', arguments: {} });
    assert.ok((incidents.structuredContent as { items: unknown[] }).items.length > 0);

    // Snapshots need Kafka mode; the tool returns the snapshotter's status as is: both shapes of it.
    const written: SnapshotStatus = {
      file: join(dir, 'series.snap'), intervalMs: 60_000, failures: 1, lastError: { atMs: T0, message: 'ENOSPC' },
      last: { atMs: T0 + MIN, series: 3, bytes: 4096, captureMs: 1.5, writeMs: 2.25 },
      start: { loaded: true, reason: null, series: 3, detectors: 3, loadMs: 4, restoreMs: 1 }, replayed: { full: 10, window: 0 },
    };
    const fresh: SnapshotStatus = { ...written, failures: 0, lastError: null, last: null, start: { ...written.start, loaded: false, reason: 'no snapshot file', series: 0, detectors: 0 } };
    const rest = await restSchemas(app.address()!);
    for (const status of [written, fresh]) {
      (app.serving as { snapshotStatus?: () => SnapshotStatus | null }).snapshotStatus = () => status;
      const res = await client.callTool({ name: 'snapshot_status', arguments: {} });
      assert.ok(validators.get('snapshot_status')!(res.structuredContent), ajv.errorsText(validators.get('snapshot_status')!.errors));
      await rest.check('/v1/snapshots', status);
    }
    seen.add('snapshot_status');
    assert.deepEqual([...seen].sort(), tools.map((t) => t.name).sort(), 'every listed tool was checked');

    // The REST twins declare the same schemas in the OpenAPI document, and their real answers fit them.
    await rest.check('/v1/band-quality?limit=3');
    const bq = (await (await fetch(new URL('/v1/band-quality', app.address()!))).json()) as { worst: unknown[] };
    assert.ok(bq.worst.length > 0, 'band quality judged some series');
    const byName = new Map(tools.map((t) => [t.name, t.outputSchema]));
    assert.deepEqual(byName.get('band_quality'), standalone(rest.schema('/v1/band-quality')), 'one source: the tool declares the route\'s schema');
    assert.deepEqual(byName.get('snapshot_status'), standalone(rest.schema('/v1/snapshots')), 'one source: the tool declares the route\'s schema');
  } finally {
    await client.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every object schema closed (no undeclared fields), so that an answer with a field the schema does not describe fails too. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if ('properties' in out) out.additionalProperties = false;
  return out;
}

/** The 200 response schemas of the OpenAPI document (/docs/json), and a check of a route's real answer against its own. */
async function restSchemas(base: string) {
  const doc = (await (await fetch(new URL('/docs/json', base))).json()) as { paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }> };
  const schema = (path: string) => {
    const s = doc.paths[path]?.get.responses['200']?.content?.['application/json']?.schema;
    assert.ok(s !== undefined, `GET ${path} declares a 200 response schema in /docs/json`);
    return s;
  };
  // OpenAPI 3.0 schemas: Ajv knows `nullable`.
  const ajv = new Ajv({ strict: true, allErrors: true });
  const check = async (url: string, expected?: unknown) => {
    const res = await fetch(new URL(url, base));
    assert.equal(res.status, 200, url);
    const body = await res.json();
    if (expected !== undefined) assert.deepEqual(body, expected, `${url} answers what the service holds`);
    const validate = ajv.compile(closed(schema(new URL(url, base).pathname)) as object);
    assert.ok(validate(body), `GET ${url}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`);
  };
  return { schema, check };
}
