/**
 * One input record into the ticks it carries, by input.format: a JSON tick object (tick-codec.ts)
 * carries one, a SenML pack (senml-codec.ts) any number. The stream pipeline decodes through this.
 */
import type { TickcastError } from '../errors/index.ts';
import type { Tick } from './types.ts';
import { decodeTick, type CodecOptions } from './tick-codec.ts';
import { decodeSenml, type SenmlNames, type SenmlSeries, type SenmlSkip } from './senml-codec.ts';

export type InputFormat = 'json' | 'senml';

export interface RecordCodecOptions extends CodecOptions {
  /** input.format; absent: 'json'. */
  format?: InputFormat;
  /** input.senmlSeries, read with format 'senml'; absent: 'name'. */
  senmlSeries?: SenmlSeries;
  /** input.senmlNames, read with format 'senml'; absent: 'rfc8428'. */
  senmlNames?: SenmlNames;
}

/** `skipped`: readings the record held that are not ticks (SenML: counted, not refused). */
export type RecordResult = { ok: true; ticks: Tick[]; skipped?: Record<SenmlSkip, number> } | { ok: false; error: TickcastError };

/** `sentMs`: when the record was sent (sentAtMs); `recordTsMs`: its Kafka timestamp (decodeTick). */
export function decodeRecord(key: Buffer | null, value: Buffer | null, opts: RecordCodecOptions, sentMs: number, recordTsMs?: number): RecordResult {
  if (opts.format === 'senml') return decodeSenml(key, value, opts, opts.senmlSeries ?? 'name', sentMs, opts.senmlNames);
  const res = decodeTick(key, value, opts, sentMs, recordTsMs);
  return res.ok ? { ok: true, ticks: [res.tick] } : res;
}
