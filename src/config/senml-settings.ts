/**
 * The settings that must agree with input.format "senml" (src/domain/senml-codec.ts), checked once
 * at start: 'name' series are univariate, and the JSON tick object's settings (input.fields,
 * tsUnit, missingTs) do not apply to a SenML pack, whose names, times and values the RFC fixes.
 */
import { NAME_CHAR } from '../domain/senml-codec.ts';

interface InputSettings {
  format: 'json' | 'senml';
  senmlSeries: 'name' | 'baseName';
  senmlNames: 'rfc8428' | 'legacy';
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
  if (input.senmlSeries === 'baseName' && input.senmlNames === 'rfc8428') out.push(...featureNameProblems(input.features));
  const f = input.fields;
  if (f.series !== 'series' || f.ts !== 'ts' || f.values !== 'values' || Object.keys(f.features ?? {}).length > 0) out.push({ path: ['input', 'fields'], message: 'input.fields applies to input.format "json" only: a SenML pack names its series by bn and n (input.senmlSeries); leave input.fields unset' });
  if (input.tsUnit !== 'ms') out.push({ path: ['input', 'tsUnit'], message: 'input.tsUnit applies to input.format "json" only: SenML times are seconds (RFC 8428); leave it unset' });
  if (input.missingTs !== 'reject') out.push({ path: ['input', 'missingTs'], message: 'input.missingTs applies to input.format "json" only: a SenML record without a time is "now" (RFC 8428 § 4.5.3), when the record was sent; leave it unset' });
  return out;
}

/**
 * Under 'baseName' a feature is a SenML n: one with a character RFC 8428 § 4.5.1 refuses can never be
 * read under input.senmlNames 'rfc8428' (every pack carrying it is refused). Said at start since
 * 7 Dec 2026 (late evening); before, the dead letters were the first word of it.
 */
function featureNameProblems(features: readonly string[]): Array<{ path: string[]; message: string }> {
  return features.flatMap((name) => {
    const at = [...name].findIndex((ch) => !NAME_CHAR.test(ch));
    if (at < 0) return [];
    return [{ path: ['input', 'features'], message: `"${name}" has ${JSON.stringify([...name][at])}, which RFC 8428 § 4.5.1 does not allow in a SenML name (A-Z a-z 0-9 - : . / _): no pack carrying it would be taken under input.senmlNames "rfc8428"; rename the feature to the gateway's n, or set input.senmlNames to "legacy"` }];
  });
}
