/**
 * Where an input record holds a tick's parts (input.fields): the names of its series id and
 * timestamp fields, and of the object holding its features — '' for features at the record's top
 * level, as device firmware, Telegraf's json parser and AWS IoT `SELECT *` rules write them
 * (`{"device_id":"t-1","timestamp":1732060800123,"temperature":21.5}`). The defaults are the
 * documented shape (`{"series":…,"ts":…,"values":{…}}`). Since 7 Dec 2026; before, only the defaults.
 */
export interface TickFields {
  series: string;
  ts: string;
  /** '' = the features are the record's own top-level fields (no wrapper object). */
  values: string;
}

export const DEFAULT_TICK_FIELDS: Readonly<TickFields> = Object.freeze({ series: 'series', ts: 'ts', values: 'values' });

/** A member of a decoded JSON object only when the record itself holds it (never Object.prototype's `constructor`, `toString`, …). */
export function own(rec: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(rec, name) ? rec[name] : undefined;
}

/** How a message names the field: `ts` as the docs write the default, `"timestamp"` for a configured one. */
export function fieldName(fields: TickFields, part: 'series' | 'ts'): string {
  return fields[part] === DEFAULT_TICK_FIELDS[part] ? part : JSON.stringify(fields[part]);
}

/**
 * Why these fields cannot be read unambiguously with these features, each under the setting it is
 * about (`key`, e.g. input.fields.ts; empty: they can). Checked once at start
 * (src/config/cross-field.ts): two parts under one name, a part named `labels` (the alert grouping
 * labels) or, with `values` set, `value` (the univariate shorthand), and, with features at the top
 * level, a feature under a part's name.
 */
export function tickFieldProblems(fields: TickFields, features: readonly string[]): Array<{ key: string; message: string }> {
  // [name, what it is, its setting (none for the record's own "labels" and "value")]
  const taken: Array<[string, string, string | null]> = [
    [fields.series, 'input.fields.series', 'input.fields.series'],
    [fields.ts, 'input.fields.ts', 'input.fields.ts'],
  ];
  if (fields.values !== '') taken.push([fields.values, 'input.fields.values', 'input.fields.values'], ['value', 'the univariate shorthand "value"', null]);
  taken.push(['labels', 'the record\'s "labels"', null]);
  const out: Array<{ key: string; message: string }> = [];
  taken.forEach(([name, what, key], i) => {
    const first = taken.findIndex(([n]) => n === name);
    if (first < i) out.push({ key: key ?? taken[first][2]!, message: `${taken[first][1]} and ${what} are both ${JSON.stringify(name)}: a record could not say which is which` });
  });
  if (fields.values === '') {
    for (const f of features) {
      const clash = taken.find(([n]) => n === f);
      if (clash) out.push({ key: 'input.fields.values', message: `feature ${JSON.stringify(f)} is also ${clash[1]}, and input.fields.values "" reads features at the record's top level: rename one` });
    }
  }
  return out;
}
