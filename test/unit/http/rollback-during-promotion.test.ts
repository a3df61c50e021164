/**
 * POST /v1/model/rollback without a version, sent while a promotion is in progress (its engine
 * being built, the operator still seeing the old version in GET /v1/model): it rolls back from the
 * version that served when it was asked for, not from the one promoted meanwhile. Before, it was
 * queued behind the promotion and rolled back from the new version — to the very version the
 * operator meant to leave. The real Promoter behind the REST route (inject), engines stubbed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Promoter } from '../../../src/model/promoter.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import type { ModelInfo, Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import { build, KEY } from './support/build.ts';
import { TrendServing } from './support/trend-serving.ts';
import { SMALL_CONFIG, SMALL_SPEC } from './support/model-serving.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';

const stub = (version: string): Predictor => ({ version, engine: 'stub', backend: 'js', spec: SMALL_SPEC, dispose: async () => undefined }) as unknown as Predictor;

async function lifecycle() {
  const registry = new VersionRegistry(null, 5);
  const config = resolveHybridConfig(SMALL_CONFIG);
  for (let i = 0; i < 3; i++) await registry.add({ config, spec: SMALL_SPEC, weights: {}, meta: {} }); // v1..v3
  const gates = new Map<string, () => void>();
  const building: string[] = [];
  // The engine of a version listed in `gates` is built only once its gate opens (a promotion's export and parity check take seconds).
  const held = new Set<string>();
  const buildEngine = async (v: { version: string }): Promise<Predictor> => {
    building.push(v.version);
    if (held.has(v.version)) await new Promise<void>((res) => gates.set(v.version, res));
    return stub(v.version);
  };
  let current = stub('v3');
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  const promoter = new Promoter({ registry, build: buildEngine, slot, serving: await registry.find('v3'), logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  class Served extends TrendServing {
    asked = 0;
    override modelInfo(): ModelInfo {
      return { ...super.modelInfo(), version: slot.predictor.version, versions: [...registry.versions], pinned: promoter.pinned };
    }
    override async rollback(o: { version?: string; pin?: boolean }): Promise<ModelInfo> {
      this.asked++;
      await promoter.rollbackManually(o);
      return this.modelInfo();
    }
  }
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(f());
  };
  return { promoter, held, gates, building, serving: new Served(), until, serving_version: () => slot.predictor.version };
}

test('POST /v1/model/rollback without a version during a promotion rolls back from the version the operator saw serving', async () => {
  const l = await lifecycle();
  const { app } = await build({ apiKeys: [KEY] }, l.serving);
  try {
    const auth = { authorization: `Bearer ${KEY}` };
    assert.equal((await app.inject({ url: '/v1/model' })).json().version, 'v3');
    // The fine-tuner promotes v4; its engine is still being built.
    l.held.add('v4');
    const promotion = l.promoter.promote({}, { source: 'finetune' }, undefined as never);
    await l.until(() => l.gates.has('v4'));
    assert.equal((await app.inject({ url: '/v1/model' })).json().version, 'v3', 'the operator sees v3 serving');
    // The operator rolls back "the current model" (v3): queued behind the promotion.
    const rolledBack = app.inject({ method: 'POST', url: '/v1/model/rollback', payload: {}, headers: auth });
    await new Promise((r) => setTimeout(r, 20));
    l.gates.get('v4')!();
    assert.equal(await promotion, 'v4');
    const res = await rolledBack;
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().version, 'v2', 'rolled back from v3 (serving when asked), not from v4 back to v3');
    assert.equal(l.serving_version(), 'v2');
    assert.deepEqual(l.building, ['v4', 'v2']);
    // Two identical requests sent together (a double click, a client retrying a slow answer) roll back once: both were asked while v2 served.
    l.held.add('v1');
    const asked = l.serving.asked;
    const both = Promise.all([0, 1].map(() => app.inject({ method: 'POST', url: '/v1/model/rollback', payload: {}, headers: auth })));
    await l.until(() => l.gates.has('v1') && l.serving.asked === asked + 2);
    l.gates.get('v1')!();
    const [a, b] = await both;
    assert.deepEqual([a.statusCode, a.json().version, b.statusCode, b.json().version], [200, 'v1', 200, 'v1'], b.body);
    assert.equal(l.serving_version(), 'v1');
    assert.deepEqual(l.building, ['v4', 'v2', 'v1'], 'one engine built for the two requests');
  } finally {
    await app.close();
  }
});

test('a rollback without a version asked while the promotion is in flight, of the oldest version: 409, nothing older than what served when asked', async () => {
  const l = await lifecycle();
  const { app } = await build({ apiKeys: [KEY] }, l.serving);
  try {
    const auth = { authorization: `Bearer ${KEY}` };
    await l.promoter.rollbackManually({ version: 'v1' });
    l.held.add('v4');
    const promotion = l.promoter.promote({}, { source: 'finetune' }, undefined as never);
    await l.until(() => l.gates.has('v4'));
    const rolledBack = app.inject({ method: 'POST', url: '/v1/model/rollback', payload: {}, headers: auth });
    await new Promise((r) => setTimeout(r, 20));
    l.gates.get('v4')!();
    assert.equal(await promotion, 'v4');
    const res = await rolledBack;
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error.code, 'TC_MODEL_NOT_LOADED');
    // Before 6 Dec 2026 the message said only "no version older than v1", though v4 served by then.
    assert.match(res.json().error.message, /^no version older than v1 to roll back to \(v1 served when the rollback was asked for; v4 serves now\); name one with/);
    assert.deepEqual(res.json().error.details, { asked: 'v1', serving: 'v4' });
    assert.equal(l.serving_version(), 'v4', 'the promotion stands');
  } finally {
    await app.close();
  }
});
