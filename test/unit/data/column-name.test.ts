/**
 * One key for a column's name wherever a column is found by it (src/data/column-name.ts): the time
 * column (TIME_NAMES) and the default target (PRICE_NAMES) take the same spellings. Until 7 Dec
 * 2026 the time names were matched in lower case only, the price names with punctuation alike.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnNameKey } from '../../../src/data/column-name.ts';
import { priceRank } from '../../../src/data/default-target.ts';
import { TIME_NAMES, timeColumnOf } from '../../../src/data/table.ts';

/** Ways exports spell one name. */
const SPELLINGS: readonly ((name: string) => string)[] = [
  (n) => n,
  (n) => n.toUpperCase(),
  (n) => n.replace(/ /g, '_'),
  (n) => `${n.replace(/ /g, '.')}:`,
  (n) => ` ${n.replace(/\b\w/g, (c) => c.toUpperCase())} `,
];

describe('column names', () => {
  it('the key: lower case, each run of other than letters and digits one space, trimmed', () => {
    assert.equal(columnNameKey('TIME_PERIOD'), 'time period');
    assert.equal(columnNameKey('Adj_Close'), 'adj close');
    assert.equal(columnNameKey(' Date: '), 'date');
    assert.equal(columnNameKey('Schlusskurs (EUR)'), 'schlusskurs eur');
  });

  it('the time column and the default target are found by the same spellings of their names', () => {
    for (const spell of SPELLINGS) {
      for (const name of ['date', 'time period']) {
        const header = ['KEY', spell(name), 'OBS_VALUE'];
        assert.equal(timeColumnOf(header), 1, `${JSON.stringify(header[1])} is a time column`);
      }
      for (const name of ['adj close', 'close', 'value']) assert.ok(priceRank(spell(name)) >= 0, `${JSON.stringify(spell(name))} is a price name`);
    }
    assert.ok(TIME_NAMES.every((n) => columnNameKey(n) === n), 'TIME_NAMES are spelt as keys');
  });
});
