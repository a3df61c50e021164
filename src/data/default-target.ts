/**
 * The column `train` forecasts when no --target is given. Until 7 Dec 2026 it was the last numeric
 * column, which on a Yahoo Finance `Date,Open,High,Low,Close,Adj Close,Volume` download (and an
 * Excel `Datum;Schlusskurs;Umsatz` one) is the traded volume, not the price a user means.
 *
 * Rule: the numeric column whose name (any case, punctuation and spaces alike: ./column-name.ts) is first in
 * PRICE_NAMES; when no column has such a name, the last numeric column, as before.
 */

import { columnNameKey } from './column-name.ts';

/** Names of a price or a series' value, most preferred first (Adj Close before Close: it is the series without dividend and split jumps). */
export const PRICE_NAMES: readonly string[] = [
  'adj close',
  'adjusted close',
  'close',
  'close last',
  'closing price',
  'price',
  'px last',
  'last price',
  'last',
  'value',
  'obs value', // SDMX-CSV's (OECD, ECB, Eurostat): until 7 Dec 2026 not here, so an OECD file forecast its last numeric column, the constant DECIMALS
  'schlusskurs',
  'schluss',
  'kurs',
];

/** Rank of a name in PRICE_NAMES; -1 when it is not one. */
export function priceRank(name: string): number {
  return PRICE_NAMES.indexOf(columnNameKey(name));
}

/** Index (in `header`) of the default target among `numericCols` (non-empty, file order): the best price name, else the last. */
export function defaultTargetIndex(header: readonly string[], numericCols: readonly number[]): number {
  let best = -1;
  for (const i of numericCols) {
    const rank = priceRank(header[i]);
    if (rank >= 0 && (best < 0 || rank < priceRank(header[best]))) best = i;
  }
  return best >= 0 ? best : numericCols[numericCols.length - 1];
}

/** Why `target` was the default (for train's note on stderr): the column is named as a price, or it was the last numeric column. */
export function defaultTargetWhy(target: string): string {
  return priceRank(target) >= 0
    ? `it is named as a price or value (${['Adj Close', 'Close', 'price', 'last', 'value', 'OBS_VALUE'].join(', ')} …, preferred over the last numeric column since 7 Dec 2026)`
    : 'the last numeric column (no column is named as a price or value: Adj Close, Close, price, last, value, OBS_VALUE …)';
}
