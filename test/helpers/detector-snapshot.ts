/**
 * One series of a detector through the snapshot codec (encode → bytes → decode) into a fresh
 * detector of the same config, as a restart from a snapshot does: the detector tests use it to
 * show that a view's state survives (the restored detector then scores the next ticks identically).
 */
import { AnomalyDetector } from '../../src/domain/anomaly/index.ts';
import { decodeSnapshot, encodeSnapshot, fillFrom, toPlain } from '../../src/pipeline/snapshot/codec.ts';

export function restoredCopy(a: AnomalyDetector, series: string): AnomalyDetector {
  const b = new AnomalyDetector(a.config);
  const saved = decodeSnapshot(Buffer.concat(encodeSnapshot(toPlain(a.exportSeries(series)!, new Set([a.config]))))) as Record<string, unknown>;
  b.importSeries(series, Object.keys(saved), (fresh) => fillFrom(fresh, saved));
  return b;
}
