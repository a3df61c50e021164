import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.ts';
import { createScorer } from '../../../src/pipeline/scorer.ts';

test('anomaly.seasonalView: on by default, off from the environment, a benchmark override wins', () => {
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly).config.seasonalView, true);
  const off = loadConfig({ env: { TICKCAST_ANOMALY_SEASONAL_VIEW: 'false' } }).anomaly;
  assert.equal(off.seasonalView, false);
  const scorer = createScorer(off);
  assert.equal(scorer.config.seasonalView, false);
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly, { seasonalView: false }).config.seasonalView, false);
  assert.throws(() => loadConfig({ env: { TICKCAST_ANOMALY_SEASONAL_VIEW: 'maybe' } }), /expected true or false/);
});
