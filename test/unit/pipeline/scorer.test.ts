import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.ts';
import type { AnomalyConfig } from '../../../src/domain/anomaly/index.ts';
import { createScorer } from '../../../src/pipeline/scorer.ts';

/**
 * One anomaly setting end to end: unset, the scorer gets the detector's default; set from the
 * environment to its "off" value, the loaded config and the scorer both carry it; a bad value is
 * refused at load (matching `refused` when given).
 */
function checkSetting<K extends keyof AnomalyConfig>(key: K, env: string, defaultValue: AnomalyConfig[K], off: [raw: string, value: AnomalyConfig[K]], bad: string, refused?: RegExp): void {
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly).config[key], defaultValue);
  const loaded = loadConfig({ env: { [env]: off[0] } }).anomaly;
  assert.equal((loaded as Record<string, unknown>)[key], off[1]);
  assert.equal(createScorer(loaded).config[key], off[1]);
  if (refused) assert.throws(() => loadConfig({ env: { [env]: bad } }), refused);
  else assert.throws(() => loadConfig({ env: { [env]: bad } }));
}

test('anomaly.seasonalView: on by default, off from the environment, a benchmark override wins', () => {
  checkSetting('seasonalView', 'TICKCAST_ANOMALY_SEASONAL_VIEW', true, ['false', false], 'maybe', /expected true or false/);
  assert.equal(createScorer(loadConfig({ env: {} }).anomaly, { seasonalView: false }).config.seasonalView, false);
});

test('anomaly.gapFactor: the detector default (3) when unset, 0 (off) from the environment, below 1 refused', () => {
  checkSetting('gapFactor', 'TICKCAST_ANOMALY_GAP_FACTOR', 3, ['0', 0], '0.5', /must be 0 \(off\) or ≥ 1/);
});

test('anomaly.missedTicks: on by default, off from the environment', () => {
  checkSetting('missedTicks', 'TICKCAST_ANOMALY_MISSED_TICKS', true, ['false', false], 'maybe', /expected true or false/);
});

test('anomaly.countTransform: on by default, off from the environment (counts then stay in their units)', () => {
  checkSetting('countTransform', 'TICKCAST_ANOMALY_COUNT_TRANSFORM', true, ['false', false], 'sometimes', /expected true or false/);
});

test('anomaly.recentRangeTicks: the detector default (500) when unset, 0 (off) from the environment, negative refused', () => {
  checkSetting('recentRangeTicks', 'TICKCAST_ANOMALY_RECENT_RANGE_TICKS', 500, ['0', 0], '-5');
});

test('anomaly.longCycleMaxPeriod: the detector default (200 hours) when unset, 0 (off) from the environment, 1 refused', () => {
  checkSetting('longCycleMaxPeriod', 'TICKCAST_ANOMALY_LONG_CYCLE_MAX_PERIOD', 200, ['0', 0], '1', /must be 0 \(off\) or ≥ 2/);
});

test('anomaly.longCycleTimeZone: UTC when unset, an IANA zone from the environment, an unknown zone refused at load', () => {
  checkSetting('longCycleTimeZone', 'TICKCAST_ANOMALY_LONG_CYCLE_TIME_ZONE', 'UTC', ['Asia/Kolkata', 'Asia/Kolkata'], 'Mars/Olympus_Mons', /IANA time zone/);
});

test('anomaly.longCycleTimeZones: none when unset, a prefix → zone map from the environment reaches the detector, an unknown zone refused at load', () => {
  assert.deepEqual(createScorer(loadConfig({ env: {} }).anomaly).config.longCycleTimeZones, {});
  const loaded = loadConfig({ env: { TICKCAST_ANOMALY_LONG_CYCLE_TIME_ZONES: 'in/=Asia/Kolkata, us-east/=America/New_York' } }).anomaly;
  assert.deepEqual(createScorer(loaded).config.longCycleTimeZones, { 'in/': 'Asia/Kolkata', 'us-east/': 'America/New_York' });
  assert.throws(() => loadConfig({ env: { TICKCAST_ANOMALY_LONG_CYCLE_TIME_ZONES: 'in/=India/Mumbai' } }), /IANA time zone/);
});
