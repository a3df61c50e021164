/** Kafka client message ↔ transport-neutral records. */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { RawRecord } from '../../domain/types.ts';

type Headers = KafkaJS.IHeaders;

export function headersToStrings(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** The headers as the broker gave them: every value of a name, as bytes, in order. */
export function originalHeaders(headers: Headers | undefined): Record<string, Buffer[]> | undefined {
  if (!headers) return undefined;
  const out: Record<string, Buffer[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = (Array.isArray(v) ? v : [v]).map((one) => (Buffer.isBuffer(one) ? one : Buffer.from(String(one))));
  }
  return out;
}

export function toRawRecord(topic: string, partition: number, m: KafkaJS.KafkaMessage, nowMs: number): RawRecord {
  const ts = Number(m.timestamp);
  return {
    key: m.key,
    value: m.value,
    headers: headersToStrings(m.headers),
    originalHeaders: originalHeaders(m.headers),
    source: { topic, partition, offset: m.offset },
    // The record timestamp (CreateTime, or LogAppendTime per topic) when sane, else arrival time (clock skew must not produce negative latency).
    receivedAtMs: Number.isFinite(ts) && ts > 0 && ts <= nowMs ? ts : nowMs,
    ...(Number.isFinite(ts) && ts > 0 ? { recordTsMs: ts } : {}), // input.missingTs 'kafka': the event time of a value without one
  };
}
