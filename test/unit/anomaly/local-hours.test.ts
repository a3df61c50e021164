import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAnomalyConfig } from '../../../src/domain/anomaly/config.ts';
import { isTimeZone, localHours, zoneOf } from '../../../src/domain/anomaly/local-hours.ts';

const H = 3_600_000;
const hourOf = (iso: string, zone: string): number => Math.floor(localHours(Date.parse(iso), zone));

test('local hours: UTC is event time; a fixed half-hour zone moves the hour boundaries to :30 UTC', () => {
  const t = Date.parse('2026-03-02T18:29:00Z');
  assert.equal(localHours(t, 'UTC'), t / H);
  // 18:29 UTC is 23:59 in Kolkata (UTC+5:30), 18:30 UTC is local midnight: a new local hour starts between the two.
  assert.equal(hourOf('2026-03-02T18:30:00Z', 'Asia/Kolkata') - hourOf('2026-03-02T18:29:00Z', 'Asia/Kolkata'), 1);
  assert.equal(hourOf('2026-03-02T18:30:00Z', 'UTC') - hourOf('2026-03-02T18:29:00Z', 'UTC'), 0);
  assert.equal(hourOf('2026-03-02T18:30:00Z', 'Asia/Kolkata') % 24, 0, 'local midnight');
});

test('local hours across daylight saving: the spring hour is skipped, the autumn hour repeats', () => {
  const z = 'America/New_York';
  // 2026-03-08: 01:59 EST (06:59 UTC) is followed by 03:00 EDT (07:00 UTC): local hour 2 never happens.
  assert.equal(hourOf('2026-03-08T06:59:00Z', z) % 24, 1);
  assert.equal(hourOf('2026-03-08T07:00:00Z', z) % 24, 3);
  assert.equal(hourOf('2026-03-08T07:00:00Z', z) - hourOf('2026-03-08T06:59:00Z', z), 2);
  // 2026-11-01: 01:30 EDT (05:30 UTC) and 01:30 EST (06:30 UTC) are the same local hour.
  assert.equal(hourOf('2026-11-01T06:30:00Z', z), hourOf('2026-11-01T05:30:00Z', z));
  assert.equal(hourOf('2026-11-01T07:00:00Z', z) - hourOf('2026-11-01T05:30:00Z', z), 1);
  // Local midnight is 05:00 UTC in winter and 04:00 UTC in summer: the same local hour of day either way.
  assert.equal(hourOf('2026-01-05T05:00:00Z', z) % 24, 0);
  assert.equal(hourOf('2026-07-06T04:00:00Z', z) % 24, 0);
});

test('time zone names: IANA names known to the runtime pass, anything else is refused by the detector config', () => {
  for (const z of ['UTC', 'Asia/Kolkata', 'America/New_York', 'Asia/Kathmandu']) assert.ok(isTimeZone(z), z);
  for (const z of ['', 'Mars/Olympus_Mons', 5, null]) assert.ok(!isTimeZone(z), String(z));
  assert.equal(resolveAnomalyConfig({}).longCycleTimeZone, 'UTC');
  assert.throws(() => resolveAnomalyConfig({ longCycleTimeZone: 'Mars/Olympus_Mons' }), (e: Error & { code?: string }) => e.code === 'TC_CONFIG_INVALID' && /longCycleTimeZone must be an IANA time zone name/.test(e.message));
});

test('per-series zones: the longest matching key prefix wins, other series take the default zone; a bad zone in the map is refused', () => {
  const zones = { 'in/': 'Asia/Kolkata', 'in/goa/': 'Asia/Kathmandu', 'us/': 'America/New_York' };
  assert.equal(zoneOf('in/mumbai/cpu', zones, 'UTC'), 'Asia/Kolkata');
  assert.equal(zoneOf('in/goa/cpu', zones, 'UTC'), 'Asia/Kathmandu', 'the longer prefix');
  assert.equal(zoneOf('us/nyc', zones, 'UTC'), 'America/New_York');
  assert.equal(zoneOf('eu/paris', zones, 'Europe/Paris'), 'Europe/Paris', 'no prefix matches: the default');
  assert.equal(zoneOf('IN/mumbai', zones, 'UTC'), 'UTC', 'prefixes are case-sensitive, as series keys are');
  assert.equal(resolveAnomalyConfig({ longCycleTimeZones: zones }).longCycleTimeZones['in/'], 'Asia/Kolkata');
  assert.throws(() => resolveAnomalyConfig({ longCycleTimeZones: { 'in/': 'India/Mumbai' } }), /longCycleTimeZones\["in\/"\] must be an IANA time zone name; got "India\/Mumbai"/);
});
