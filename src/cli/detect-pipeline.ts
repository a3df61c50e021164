/**
 * The service's own code path for one file of `timestamp,value` rows — tick codec → window store →
 * micro-batcher → model → anomaly detector — as `tickcast detect` and `npm run bench:nab` run it.
 * Causal: each row is scored from what came before it. A row the service refuses (late or
 * duplicate timestamp, unreadable timestamp or value) scores 0 and comes with the reason, so the
 * command can say so. Rows stream through: each chunk's rows come out scored before the next chunk
 * is read, so memory does not grow with the file.
 */
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config/load.ts';
import { codecOptions, createWindowStore } from '../app-parts.ts';
import type { AnomalyConfig } from '../domain/anomaly/index.ts';
import type { RawRecord } from '../domain/types.ts';
import { SeriesOutlook } from '../pipeline/series-outlook.ts';
import { RecentAnomalies } from '../pipeline/recent-anomalies.ts';
import { InferenceStage } from '../pipeline/inference.ts';
import { createScorer } from '../pipeline/scorer.ts';
import { StreamPipeline } from '../pipeline/stream-pipeline.ts';
import type { Predictor, TickOutcome } from '../pipeline/ports.ts';
import { createModelService } from '../model/model-service.ts';
import { nabTimestampMs, type PipelineDetect } from '../eval/nab/detect.ts';
import type { NabRow } from '../eval/nab/io.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';

/** A row with its score: 0 and the reason in words (a tick outcome or a dead-letter code) when the service refused it. */
export interface ScoredRow<T extends NabRow = NabRow> {
  row: T;
  score: number;
  refused: string | null;
}

/** A row with, optionally, its own series id (a long-format file); without one it is of the series `scoreRows` names. */
/** `ms`: the row's timestamp already read (../data/time-column.ts: detect's rows); else it is read here by itself. */
export type KeyedRow = NabRow & { series?: string; ms?: number };

export interface PipelineDetector {
  detect: PipelineDetect;
  /**
   * Score rows as they come, yielding each with its score once its chunk went through, so a file
   * of any length is scored in constant memory. An aborted `signal` stops between chunks,
   * rejecting with its reason.
   */
  scoreRows<T extends KeyedRow>(rows: AsyncIterable<T> | Iterable<T>, series: string, detector?: Partial<AnomalyConfig>, signal?: AbortSignal): AsyncGenerator<ScoredRow<T>>;
  predictor: Predictor;
  close(): Promise<void>;
}

const REASONS: Partial<Record<TickOutcome, string>> = {
  late: 'late: its timestamp is before the series\' latest one',
  duplicate: 'duplicate: same timestamp as an earlier row',
  replaced: 'duplicate: same timestamp as an earlier row, whose value it replaced',
  incomplete: 'incomplete: a feature is missing',
};

/** What the pipeline reported, consumed in order as rows are paired with it. */
export interface Reports {
  outcomes: TickOutcome[];
  scores: number[];
  deadLetters: Map<number, string>;
}

/**
 * A fresh pipeline on the service's store and codec, except that one file is scored at stride 1 and
 * nothing is evicted: the store and the detector hold `maxSeries` series (the reader refuses a file
 * of more, so no series loses its state part-way).
 */
function filePipeline(config: Config, model: Predictor, chunk: number, detector: Partial<AnomalyConfig>, reports: Reports, maxSeries: number): { pipeline: StreamPipeline; inference: InferenceStage } {
  const spec = model.spec;
  const store = createWindowStore(config, spec, { stride: 1, maxSeries, idleEvictMs: Number.MAX_SAFE_INTEGER });
  const inference = new InferenceStage(model, { maxBatchSize: chunk, maxWaitMs: 0, maxInFlightBatches: 1 });
  const pipeline = new StreamPipeline({
    store,
    outlook: new SeriesOutlook(),
    recentAnomalies: new RecentAnomalies(),
    inference,
    sink: { send: async () => {} },
    codec: codecOptions(config, spec),
    scorer: createScorer(config.anomaly, { maxSeries, ...detector }),
    observer: {
      tick: (o) => reports.outcomes.push(o),
      score: (_s, v) => reports.scores.push(v),
      deadLetter: (code, source) => reports.deadLetters.set(Number(source.offset), code),
    },
    now: () => 0,
  });
  return { pipeline, inference };
}

/**
 * Pair rows, in order, with the outcomes reported so far (the n-th outcome is the n-th row's), an
 * accepted one with the next score; stops at an accepted outcome whose score has not come yet.
 * `paired` counts the outcomes consumed before (the dead letters' offsets, each its row's index).
 * The pairing is by position, so it holds only while every record reports exactly one outcome;
 * the dead letters, which name their record, check it: a record that was accepted and then failed
 * in the pipeline (a dead letter for an accepted row, which has no score: it would shift every later
 * score by one; before 7 Dec 2026 it also reported a second outcome, dead_letter) stops the run with
 * TC_INTERNAL rather than write misaligned scores.
 */
export function* pair<T extends NabRow>(pending: T[], reports: Reports, paired: { n: number }): Generator<ScoredRow<T>> {
  let o = 0;
  let s = 0;
  let r = 0;
  for (; o < reports.outcomes.length && r < pending.length; o++, r++) {
    const outcome = reports.outcomes[o];
    if (outcome === 'accepted' && s >= reports.scores.length) break;
    const index = paired.n++;
    const dead = reports.deadLetters.get(index);
    reports.deadLetters.delete(index);
    if ((dead === undefined) === (outcome === 'dead_letter') && outcome !== 'incomplete') throw misaligned(index, outcome, dead);
    if (outcome === 'accepted') yield { row: pending[r], score: reports.scores[s++], refused: null };
    else yield { row: pending[r], score: 0, refused: outcome === 'dead_letter' ? `dead-lettered: ${dead}` : (REASONS[outcome] ?? outcome) };
  }
  reports.outcomes.splice(0, o);
  reports.scores.splice(0, s);
  pending.splice(0, r);
}

/** Every report consumed once every row was paired; TC_INTERNAL otherwise (a record reported twice, or not at all). */
export function checkAllPaired(pending: readonly unknown[], reports: Reports, paired: { n: number }): void {
  const left = reports.outcomes.length + reports.scores.length + reports.deadLetters.size;
  if (pending.length === 0 && left === 0) return;
  throw new TickcastError(ErrorCodes.INTERNAL, `detect: the pipeline's reports do not match its ${paired.n + pending.length} rows (${pending.length} rows unpaired; ${reports.outcomes.length} outcomes, ${reports.scores.length} scores, ${reports.deadLetters.size} dead letters left over); no results were written`);
}

function misaligned(index: number, outcome: TickOutcome, dead: string | undefined): TickcastError {
  return new TickcastError(ErrorCodes.INTERNAL, `detect: row ${index + 1} of the file was reported ${outcome}${dead === undefined ? ' without its dead letter' : ` and dead-lettered (${dead})`}: its scores would no longer line up with the rows; no results were written`);
}

/**
 * Build the service path once; each call scores one file with fresh state. The model: `predictor`
 * when given (a model directory opened read-only), else the service's start-up model. `maxSeries`:
 * the most series one file's rows may name (each row's `series`, else the one `scoreRows` is given).
 */
export async function createPipelineDetect(config: Config, logger: Logger, chunk = 256, predictor?: Predictor, maxSeries = 16): Promise<PipelineDetector> {
  const service = predictor ? null : await createModelService(config, logger.child({ module: 'model' }), createMetrics({ defaultMetrics: false }));
  const model = predictor ?? service!.predictor;
  async function* scoreRows<T extends KeyedRow>(rows: AsyncIterable<T> | Iterable<T>, series: string, detector: Partial<AnomalyConfig> = {}, signal?: AbortSignal): AsyncGenerator<ScoredRow<T>> {
    const reports: Reports = { outcomes: [], scores: [], deadLetters: new Map() };
    const { pipeline, inference } = filePipeline(config, model, chunk, detector, reports, maxSeries);
    const feature = model.spec.features[0];
    const pending: T[] = [];
    const paired = { n: 0 };
    let sent = 0;
    const send = async (batch: T[]): Promise<void> => {
      signal?.throwIfAborted();
      const records: RawRecord[] = batch.map((r) => ({
        key: Buffer.from(r.series ?? series),
        value: Buffer.from(JSON.stringify({ series: r.series ?? series, ts: r.ms ?? nabTimestampMs(r.timestamp), values: { [feature]: r.value } })),
        headers: {},
        source: { topic: 'csv', partition: 0, offset: String(sent++) },
        receivedAtMs: 0,
      }));
      for (const r of batch) pending.push(r);
      await pipeline.handle(records);
    };
    let batch: T[] = [];
    for await (const row of rows) {
      batch.push(row);
      if (batch.length < chunk) continue;
      await send(batch);
      batch = [];
      yield* pair(pending, reports, paired);
    }
    if (batch.length > 0) await send(batch);
    await inference.close();
    yield* pair(pending, reports, paired);
    checkAllPaired(pending, reports, paired);
  }
  return {
    scoreRows,
    detect: async (rows, series, detector) => {
      const scores: number[] = [];
      for await (const r of scoreRows(rows, series, detector)) scores.push(r.score);
      return scores;
    },
    predictor: model,
    close: () => (service ? service.stop() : model.dispose()),
  };
}

let shared: Promise<PipelineDetector> | null = null;

/**
 * The service path for `npm run bench:nab` (NAB_PIPELINE_MODULE): one model for the whole run
 * (from TICKCAST_MODEL_DIR, else the shipped pretrained model, as the service starts), fresh
 * pipeline state per file; `detector` overrides the detector's tuned defaults (ANOMALY_CONFIG).
 */
export async function detectThroughPipeline(rows: readonly NabRow[], series: string, detector: Partial<AnomalyConfig> = {}): Promise<number[]> {
  shared ??= createPipelineDetect(
    loadConfig({ overrides: { logLevel: 'warn', http: { enabled: false } } }),
    createLogger({ level: 'warn', name: 'tickcast-nab', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
  );
  return (await shared).detect(rows, series, detector);
}
