import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAlertRecord, encodeAlertRecord, FALLBACK_MODEL, type AnomalyEvent } from '../../../src/domain/anomaly/index.ts';

const event: AnomalyEvent = {
  state: 'firing', severity: 'critical', series: 'eu-west/cpu', tsMs: 1_700_000_000_000, value: 97.5,
  score: 0.912345678, expected: { lower: 40.123456789, p50: 52, upper: 63.9 }, basis: 'model',
};

test('alert record has exactly the topic schema, in order, with the model version and source', () => {
  const rec = buildAlertRecord(event, 'v3-2026-11-21', { topic: 'ticks', partition: 2, offset: '12345678901234' });
  assert.deepEqual(Object.keys(rec), ['series', 'ts', 'value', 'expected', 'lower', 'upper', 'score', 'severity', 'state', 'model', 'source']);
  assert.deepEqual(rec, {
    series: 'eu-west/cpu', ts: 1_700_000_000_000, value: 97.5, expected: 52, lower: 40.1235, upper: 63.9,
    score: 0.912346, severity: 'critical', state: 'firing', model: 'v3-2026-11-21',
    source: { topic: 'ticks', partition: 2, offset: '12345678901234' },
  });
  const { key, value } = encodeAlertRecord(rec);
  assert.equal(key, 'eu-west/cpu');
  assert.equal(value, '{"series":"eu-west/cpu","ts":1700000000000,"value":97.5,"expected":52,"lower":40.1235,"upper":63.9,"score":0.912346,"severity":"critical","state":"firing","model":"v3-2026-11-21","source":{"topic":"ticks","partition":2,"offset":"12345678901234"}}');
});

test('an alert judged by the fallback forecaster says so in `model`; no source when the tick had none', () => {
  const rec = buildAlertRecord({ ...event, state: 'resolved', basis: 'fallback' }, 'v3');
  assert.equal(rec.model, FALLBACK_MODEL);
  assert.equal(rec.state, 'resolved');
  assert.equal('source' in rec, false);
});

test('per-feature alerts: the record names its feature right after the series; absent when none was given', () => {
  const rec = buildAlertRecord({ ...event, feature: 'mem' }, 'v3');
  assert.deepEqual(Object.keys(rec).slice(0, 3), ['series', 'feature', 'ts']);
  assert.equal(rec.feature, 'mem');
  assert.match(encodeAlertRecord(rec).value, /^\{"series":"eu-west\/cpu","feature":"mem","ts":/);
  assert.equal('feature' in buildAlertRecord({ ...event, feature: '' }, 'v3'), false, 'unnamed feature: the pre-issue-13 record');
});

test('firing records name the view that set the score after the model; records without one (resolved, older) omit it', () => {
  const rec = buildAlertRecord({ ...event, view: 'seasonal' }, 'v3');
  assert.deepEqual(Object.keys(rec).slice(-2), ['model', 'view']);
  assert.match(encodeAlertRecord(rec).value, /"model":"v3","view":"seasonal"\}$/);
  assert.equal('view' in buildAlertRecord({ ...event, state: 'resolved' }, 'v3'), false);
});

test('the band stays readable at any level: rounded to 6 significant digits or 1e-5 of its width, whichever keeps more', () => {
  // A counter near 1e12 moving by units: 6 significant digits made expected, lower and upper all 1000000000000.
  const high = buildAlertRecord({ ...event, value: 1_000_000_010_000.85, expected: { lower: 999_999_991_230.4, p50: 999_999_995_534.12, upper: 999_999_998_929.7 } }, 'v1');
  assert.deepEqual([high.lower, high.expected, high.upper], [999_999_991_230.4, 999_999_995_534.12, 999_999_998_929.7]);
  const narrow = buildAlertRecord({ ...event, expected: { lower: 1e12 - 0.3, p50: 1e12 + 0.5, upper: 1e12 + 1.2 } }, 'v1');
  assert.ok(narrow.lower < narrow.expected && narrow.expected < narrow.upper, JSON.stringify(narrow));
  const tiny = buildAlertRecord({ ...event, expected: { lower: 1.0000001e-9, p50: 1.0000002e-9, upper: 1.0000003e-9 } }, 'v1');
  assert.ok(tiny.lower < tiny.expected && tiny.expected < tiny.upper, JSON.stringify(tiny));
});
