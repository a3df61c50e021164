import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectSeason, formatStep, parseTimestamp, typicalStepMs } from '../../../src/data/time.ts';
import { nabTimestampMs } from '../../../src/eval/nab/detect.ts';

describe('timestamps', () => {
  it('reads naive date-times as UTC, with or without seconds, T or space', () => {
    assert.equal(parseTimestamp('2016-07-01 00:00:00'), Date.UTC(2016, 6, 1, 0, 0, 0));
    assert.equal(parseTimestamp('2016-07-01T13:45'), Date.UTC(2016, 6, 1, 13, 45));
    assert.equal(parseTimestamp('2016-07-01'), Date.UTC(2016, 6, 1));
    assert.equal(parseTimestamp('2016-07-01 00:00:00.25'), Date.UTC(2016, 6, 1) + 250);
  });

  it('honours explicit offsets and Z', () => {
    assert.equal(parseTimestamp('2024-01-01T02:00:00+02:00'), Date.UTC(2024, 0, 1, 0, 0, 0));
    assert.equal(parseTimestamp('2024-01-01T00:00:00Z'), Date.UTC(2024, 0, 1));
  });

  it('reads the zoned forms the service reads (docs/schemas.md ts): a space before the offset, hour-only and ±hhmm offsets (PostgreSQL\'s timestamptz as COPY writes it), t and z in either case', () => {
    const t = Date.UTC(2024, 10, 20);
    for (const s of ['2024-11-20 00:00:00+00', '2024-11-20 02:00:00+02:00', '2024-11-20T02:00:00+02', '2024-11-20 02:00:00+0200', '2024-11-19 19:00:00-05', '2024-11-20t00:00:00z', '2024-11-20 00:00:00Z']) {
      assert.equal(parseTimestamp(s), t, s);
    }
    assert.equal(parseTimestamp('2024-11-20 00:00:00.5+00'), t + 500);
  });

  it('refuses a date or time that is not on the calendar instead of rolling it over, zoned or not (as the service does)', () => {
    for (const s of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00+01:00', '2024-11-20 10:60:00', '2024-11-20 23:59:60', '2024-11-20T24:00:00Z', '2024-13-01']) {
      assert.ok(Number.isNaN(parseTimestamp(s)), s);
    }
  });

  it('reads epoch seconds and milliseconds', () => {
    assert.equal(parseTimestamp('1700000000'), 1_700_000_000_000);
    assert.equal(parseTimestamp('1700000000123'), 1_700_000_000_123);
  });

  it('reads BigQuery\'s " UTC" suffix as Z and year-first slashes as dashes (until 7 Dec 2026: not a timestamp)', () => {
    assert.equal(parseTimestamp('2024-01-31 13:00:00 UTC'), Date.UTC(2024, 0, 31, 13));
    assert.equal(parseTimestamp('2024-01-31 13:00:00.250 GMT'), Date.UTC(2024, 0, 31, 13, 0, 0, 250));
    assert.equal(parseTimestamp('2024/01/31 13:00'), Date.UTC(2024, 0, 31, 13));
    assert.equal(parseTimestamp('2024/01/31'), Date.UTC(2024, 0, 31));
    assert.ok(Number.isNaN(parseTimestamp('01/02/2024')), 'day or month first cannot be told');
  });

  it('reads dotted dates day first, as de/fr Excel writes them (until 7 Dec 2026: not a timestamp)', () => {
    assert.equal(parseTimestamp('31.01.2024'), Date.UTC(2024, 0, 31));
    assert.equal(parseTimestamp('01.02.2024'), Date.UTC(2024, 1, 1), 'dots are day first: 1 Feb, never 2 Jan');
    assert.equal(parseTimestamp('1.2.2024 13:05'), Date.UTC(2024, 1, 1, 13, 5));
    assert.equal(parseTimestamp('31.01.2024 13:00:05'), Date.UTC(2024, 0, 31, 13, 0, 5));
    for (const cell of ['30.02.2024', '13.13.2024', '31.01.24', '31.01.2024x']) assert.ok(Number.isNaN(parseTimestamp(cell)), cell);
    assert.ok(Number.isNaN(parseTimestamp('2024/1/31')));
  });

  it('reads ISO-8601\'s compact form (YYYYMMDD, YYYYMMDDHHMMSS) as a date when it is one on the calendar; other digits stay epoch seconds/ms', () => {
    // Until 7 Dec 2026 20240131 was epoch seconds (1970-08-23): train found "every 1s" for daily rows, detect refused every row.
    assert.equal(parseTimestamp('20240131'), Date.UTC(2024, 0, 31));
    assert.equal(parseTimestamp('20240229'), Date.UTC(2024, 1, 29));
    assert.equal(parseTimestamp('20240131235959'), Date.UTC(2024, 0, 31, 23, 59, 59));
    assert.equal(nabTimestampMs('20240131'), Date.UTC(2024, 0, 31), 'detect reads them the same way');
    assert.equal(parseTimestamp('20230229'), 20230229 * 1000, 'not on the calendar: epoch seconds, as before');
    assert.equal(parseTimestamp('12345678'), 12345678 * 1000);
    assert.equal(parseTimestamp('20240131240000'), 20240131240000, 'hour 24: epoch ms, as before');
    assert.equal(parseTimestamp('202401311200'), 202401311200, '12 digits are epoch ms (1973-2001 is a range the service takes)');
  });

  it('reads central banks\' monthly and quarterly periods as their first day (SDW 2024Jan, 2024Q1; ECB Data Portal 2024-01, 2024-Q1; until 7 Dec 2026: not a timestamp)', () => {
    const jan = Date.UTC(2024, 0, 1);
    for (const s of ['2024Jan', '2024JAN', '2024-01', '2024Q1', '2024-Q1', '2024q1']) assert.equal(parseTimestamp(s), jan, s);
    assert.equal(parseTimestamp('2023Dec'), Date.UTC(2023, 11, 1));
    assert.equal(parseTimestamp('2024-12'), Date.UTC(2024, 11, 1));
    assert.equal(parseTimestamp('2024Q4'), Date.UTC(2024, 9, 1));
    assert.equal(parseTimestamp('2024-Q3'), Date.UTC(2024, 6, 1));
    for (const s of ['2024-13', '2024-00', '2024Q5', '2024Q0', '2024Foo', '2024-1', '24Q1', '2024-Jan']) assert.ok(Number.isNaN(parseTimestamp(s)), s);
  });

  it('reads the ONS\'s quarters and months with a space (2024 Q1, 2024 JAN) as their first day; until 7 Dec 2026: not a timestamp', () => {
    for (const s of ['2024 Q1', '2024 q1', '2024 JAN', '2024 Jan']) assert.equal(parseTimestamp(s), Date.UTC(2024, 0, 1), s);
    assert.equal(parseTimestamp('2023 Q4'), Date.UTC(2023, 9, 1));
    assert.equal(parseTimestamp('2023 DEC'), Date.UTC(2023, 11, 1));
    for (const s of ['2024 Q5', '2024  Q1', '2024 FOO', '2024 01', '2024 -Q1']) assert.ok(Number.isNaN(parseTimestamp(s)), s);
  });

  it('reads SDW semi-annual and ISO-week periods as their first day (2024S1, 2024-S1; 2024W01, 2024-W01 → Monday; until 7 Dec 2026: not a timestamp)', () => {
    for (const s of ['2024S1', '2024-S1', '2024s1']) assert.equal(parseTimestamp(s), Date.UTC(2024, 0, 1), s);
    assert.equal(parseTimestamp('2024-S2'), Date.UTC(2024, 6, 1));
    // ISO week 1 holds 4 January: 2024 starts on a Monday, 2020's week 1 on Monday 30 Dec 2019, 2021's on 4 Jan.
    for (const s of ['2024W01', '2024-W01', '2024w01']) assert.equal(parseTimestamp(s), Date.UTC(2024, 0, 1), s);
    assert.equal(parseTimestamp('2020-W01'), Date.UTC(2019, 11, 30));
    assert.equal(parseTimestamp('2021W01'), Date.UTC(2021, 0, 4));
    assert.equal(parseTimestamp('2024-W10'), Date.UTC(2024, 2, 4));
    assert.equal(parseTimestamp('2020-W53'), Date.UTC(2020, 11, 28), '2020 has 53 weeks');
    assert.equal(new Date(parseTimestamp('2026-W49')).getUTCDay(), 1, 'a Monday');
    for (const s of ['2024-W53', '2024W00', '2024-W1', '2024S3', '2024S0', '2024-H1']) assert.ok(Number.isNaN(parseTimestamp(s)), s);
  });

  it('rejects impossible dates and free text', () => {
    assert.ok(Number.isNaN(parseTimestamp('2024-02-31 00:00:00')));
    assert.ok(Number.isNaN(parseTimestamp('yesterday')));
    assert.ok(Number.isNaN(parseTimestamp('')));
  });

  it('finds the typical spacing despite a gap', () => {
    const h = 3_600_000;
    assert.equal(typicalStepMs([0, h, 2 * h, 5 * h, 6 * h, 7 * h]), h);
    assert.ok(Number.isNaN(typicalStepMs([5])));
  });

  it('guesses the season from the spacing: hourly 24, 5-minute 288, daily 7', () => {
    assert.equal(detectSeason(3_600_000), 24);
    assert.equal(detectSeason(300_000), 288);
    assert.equal(detectSeason(900_000), 96);
    assert.equal(detectSeason(86_400_000), 7);
    assert.equal(detectSeason(7 * 86_400_000), 52); // weekly (2024W01 …): a year of weeks; 1 until 7 Dec 2026
    assert.equal(detectSeason(92 * 86_400_000), 4); // quarterly (its most common spacing, Jul→Oct and Oct→Jan); 1 until 7 Dec 2026
    assert.equal(detectSeason(184 * 86_400_000), 2); // semi-annual (Jul→Jan; 2024S1 …); 1 until 7 Dec 2026
    assert.equal(detectSeason(7 * 60_000), 1); // 7 minutes do not divide a day
    assert.equal(detectSeason(Number.NaN), 1);
    assert.equal(formatStep(3_600_000), '1h');
    assert.equal(formatStep(300_000), '5m');
  });

  it('NAB\'s "YYYY-MM-DD HH:MM:SS" (and its labels\' microseconds) reads to the same ms as NAB\'s own reading, so detect and bench:nab scores stay the same', () => {
    const nabReading = (ts: string): number => Date.parse(ts.trim().replace(' ', 'T') + 'Z');
    for (let t = Date.UTC(2010, 0, 1); t < Date.UTC(2020, 0, 1); t += 7_777_777_000) {
      const ts = new Date(t).toISOString().replace('T', ' ').slice(0, 19);
      assert.equal(nabTimestampMs(ts), nabReading(ts), ts);
      assert.equal(nabTimestampMs(`${ts}.000000`), nabReading(`${ts}.000000`), `${ts}.000000`);
    }
    assert.equal(nabTimestampMs('2014-07-01T00:00:00Z'), Date.UTC(2014, 6, 1));
    assert.equal(nabTimestampMs('2014-07-01T02:00:00+02:00'), Date.UTC(2014, 6, 1));
    assert.equal(nabTimestampMs('1404172800'), Date.UTC(2014, 6, 1));
    assert.equal(nabTimestampMs('1404172800000'), Date.UTC(2014, 6, 1));
    assert.ok(Number.isNaN(nabTimestampMs('07/01/2014 00:00')));
  });
});
