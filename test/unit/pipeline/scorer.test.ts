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

test('anomaly.gapFactor: the detector default (3) when unset, 0 (off) from the environment, below 1 refused', () => {
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly).config.gapFactor, 3);
  const off = loadConfig({ env: { TICKCAST_ANOMALY_GAP_FACTOR: '0' } }).anomaly;
  assert.equal(off.gapFactor, 0);
  assert.equal(createScorer(off).config.gapFactor, 0);
  assert.throws(() => loadConfig({ env: { TICKCAST_ANOMALY_GAP_FACTOR: '0.5' } }), /must be 0 \(off\) or ≥ 1/);
});

test('anomaly.countTransform: on by default, off from the environment (counts then stay in their units)', () => {
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly).config.countTransform, true);
  const off = loadConfig({ env: { TICKCAST_ANOMALY_COUNT_TRANSFORM: 'false' } }).anomaly;
  assert.equal(off.countTransform, false);
  assert.equal(createScorer(off).config.countTransform, false);
  assert.throws(() => loadConfig({ env: { TICKCAST_ANOMALY_COUNT_TRANSFORM: 'sometimes' } }), /expected true or false/);
});

test('anomaly.recentRangeTicks: the detector default (500) when unset, 0 (off) from the environment, negative refused', () => {
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly).config.recentRangeTicks, 500);
  const off = loadConfig({ env: { TICKCAST_ANOMALY_RECENT_RANGE_TICKS: '0' } }).anomaly;
  assert.equal(off.recentRangeTicks, 0);
  assert.equal(createScorer(off).config.recentRangeTicks, 0);
  assert.throws(() => loadConfig({ env: { TICKCAST_ANOMALY_RECENT_RANGE_TICKS: '-5' } }));
});
