/**
 * The settings that must agree with input.format "senml" (src/domain/senml-codec.ts), checked once
 * at start: 'name' series are univariate, and the JSON tick object's settings (input.fields,
 * tsUnit, missingTs) do not apply to a SenML pack, whose names, times and values the RFC fixes.
 */

interface InputSettings {
  format: 'json' | 'senml';
  senmlSeries: 'name' | 'baseName';
  features: readonly string[];
  fields: { series: string; ts: string; values: string; features?: Readonly<Record<string, string>> };
  tsUnit: string;
  missingTs: string;
}

/** Each problem at the key it is about (empty: none). */
export function senmlProblems(input: InputSettings): Array<{ path: string[]; message: string }> {
  if (input.format !== 'senml') return [];
  const out: Array<{ path: string[]; message: string }> = [];
  if (input.senmlSeries === 'name' && input.features.length !== 1) {
    out.push({ path: ['input', 'senmlSeries'], message: `"name" makes each SenML name (bn + n) a univariate series, but input.features has ${input.features.length} (${input.features.join(', ')}): configure one feature, or set input.senmlSeries to "baseName" (bn the series, n the feature)` });
  }
  const f = input.fields;
  if (f.series !== 'series' || f.ts !== 'ts' || f.values !== 'values' || Object.keys(f.features ?? {}).length > 0) out.push({ path: ['input', 'fields'], message: 'input.fields applies to input.format "json" only: a SenML pack names its series by bn and n (input.senmlSeries); leave input.fields unset' });
  if (input.tsUnit !== 'ms') out.push({ path: ['input', 'tsUnit'], message: 'input.tsUnit applies to input.format "json" only: SenML times are seconds (RFC 8428); leave it unset' });
  if (input.missingTs !== 'reject') out.push({ path: ['input', 'missingTs'], message: 'input.missingTs applies to input.format "json" only: a SenML record without a time is "now" (RFC 8428 § 4.5.3), when the record was sent; leave it unset' });
  return out;
}
