/**
 * Composition of the alerting extras (issue 16): alert feedback (policy, gate, index, durable log,
 * optional feedback topic), grouped incidents and band quality. Called from app.ts, which owns
 * start/stop order; this file only builds and wires.
 */
import { join } from 'node:path';
import type { Config } from './config/load.ts';
import { FeedbackPolicy } from './domain/feedback/feedback-policy.ts';
import { IncidentGrouper, type IncidentRecord } from './domain/incidents/incident-grouper.ts';
import { BandQualityTracker } from './domain/band-quality.ts';
import { AlertIndex } from './pipeline/alert-index.ts';
import { FeedbackGate, type PublishedAlerts } from './pipeline/feedback-gate.ts';
import { FeedbackService, type FeedbackServiceDeps } from './pipeline/feedback-service.ts';
import { feedbackRecordHandler } from './pipeline/feedback-intake.ts';
import type { PipelineFollower } from './pipeline/followers.ts';
import type { AnomalyScorer, IncidentsApi, LearningFilter, OutputSink, TickSource } from './pipeline/ports.ts';
import { FeedbackLog } from './adapters/file/feedback-log.ts';
import type { KafkaTransport } from './adapters/kafka/transport.ts';
import type { ClosableProducer } from './adapters/kafka/closable-sender.ts';
import type { Logger } from './telemetry/logger.ts';
import type { Metrics } from './telemetry/metrics.ts';
import { installBandQualityMetrics } from './telemetry/band-quality-metrics.ts';
import { unlessAborted } from './lifecycle/abortable.ts';

export interface Alerting {
  /** Wrap the detector so feedback acts on what leaves it (feedback off: nothing held back; alerts a snapshot says were held are released). */
  gate(scorer: AnomalyScorer & { config: { warningThreshold: number; criticalThreshold: number } }): AnomalyScorer;
  followers: PipelineFollower[];
  /** The incident grouper (null when off): its open incidents go into series-state snapshots. */
  incidents: IncidentGrouper | null;
  /** Recent firing alerts by id (feedback finds alerts by it): kept in series-state snapshots. */
  alertIndex: AlertIndex;
  /** The feedback gate's held-back alerts per series (and the outlook's sent ones, saved with them), for series-state snapshots; no-ops until `gate` made one. */
  gateState: { exportSeries(series: string): object | undefined; importSeries(series: string, saved: unknown): void; size(): number };
  /** Feedback on the series of an older snapshot id layout, moved to their new ids (series-state snapshots); none until `gate` made the service. */
  feedbackState: { renameSeries(rename: (id: string) => string | null, idLayout: number): Promise<number> };
  serving: { feedback?: FeedbackService; incidents?: IncidentsApi; bandQuality: BandQualityTracker; bandQualityMinTicks: number };
  forget(series: string): void;
  /** Ticks kept out of learning by feedback: maintenance spans and confirmed anomalies. */
  learningFilter: LearningFilter;
  /** Load stored feedback; start the feedback topic consumer when configured. */
  start(kafka: KafkaTransport | null, sink: OutputSink, signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `openAlert` and `published`: the series outlook, which owns the open, published alerts (feedback
 * finds one by id there; the gate reads which alerts were sent there). Absent in unit use.
 */
export function buildAlerting(config: Config, deps: { metrics: Metrics; logger: Logger; quantiles: readonly number[]; openAlert?: FeedbackServiceDeps['openAlert']; published?: PublishedAlerts }): Alerting {
  const { metrics, logger } = deps;
  const log = logger.child({ module: 'alerting' });
  const fb = config.feedback;
  const feedbackOn = config.anomaly.enabled && fb.enabled;
  const index = new AlertIndex(fb.alertIndexSize);
  const file = fb.file || (config.model.dir ? join(config.model.dir, 'feedback.jsonl') : '');
  const store = feedbackOn && file ? new FeedbackLog({ path: file, onSkipped: (n, kept) => log.warn({ file, lines: n, kept }, 'feedback log lines skipped: unreadable, or (kept) operations of another release this one does not apply') }) : null;
  let feedback: FeedbackService | undefined;
  let [policy, gated]: [FeedbackPolicy | undefined, FeedbackGate | undefined] = [undefined, undefined];

  const bandQuality = new BandQualityTracker({ quantiles: deps.quantiles, windowTicks: config.bandQuality.windowTicks, maxSeries: config.windows.maxSeries });
  installBandQualityMetrics(metrics, bandQuality, { minTicks: config.bandQuality.minTicks, topK: config.bandQuality.topK });
  const incidents = incidentGrouper(config);
  const followers = followersOf(index, bandQuality, incidents, metrics);

  let [source, publisher]: [TickSource | null, ClosableProducer | null] = [null, null];
  return {
    gate(scorer) {
      // Feedback off: a gate that holds nothing back, for the alerts a snapshot says were held (released late).
      if (!feedbackOn) return (gated = new FeedbackGate(scorer, null, { published: deps.published }));
      policy = new FeedbackPolicy({
        baseBar: scorer.config.warningThreshold,
        ceilingBar: scorer.config.criticalThreshold,
        marginScore: fb.marginScore,
        falsePositiveHalfLifeMs: fb.falsePositiveHalfLifeMs,
        maxPerSeries: fb.maxPerSeries,
        maxEntries: fb.maxEntries,
      });
      feedback = feedbackService(config, { policy, index, openAlert: deps.openAlert, store, metrics, log, publisher: () => publisher });
      return (gated = new FeedbackGate(scorer, policy, { suppressed: (_s, reason) => metrics.alertsSuppressed.inc({ reason }), published: deps.published }));
    },
    followers,
    incidents,
    alertIndex: index,
    feedbackState: { renameSeries: async (rename, idLayout) => (feedback ? feedback.renameSeries(rename, idLayout) : 0) },
    gateState: { exportSeries: (s) => gated?.exportSeries(s), importSeries: (s, saved) => gated?.importSeries(s, saved), size: () => gated?.size ?? 0 },
    get serving() {
      return { feedback, incidents: incidents ?? undefined, bandQuality, bandQualityMinTicks: config.bandQuality.minTicks };
    },
    learningFilter: { isSuppressed: (series, ts) => policy?.learningExcluded(series, ts) ?? false },
    forget: (s) => {
      for (const f of followers) f.forget?.(s);
    },
    async start(kafka, sink, signal) {
      if (feedback === undefined) return;
      const n = await feedback.load();
      metrics.feedbackEntries.set(n);
      log.info({ file: store ? file : null, entries: n }, store ? 'alert feedback loaded' : 'alert feedback kept in memory only (set feedback.file or model.dir to keep it)');
      if (kafka === null || fb.topic === '') return;
      // A plain idempotent producer of its own: the main one may be transactional (exactly-once).
      const fbk = kafka.feedback(fb.topic);
      publisher = fbk.publisher;
      if (!(await connectUnlessStopped(fbk.publisher, signal))) return void (publisher = null); // a stop: brokers that went away
      source = fbk.source;
      await source.start(feedbackRecordHandler(feedback, sink, { deadLetter: (code) => metrics.deadLetters.inc({ code }) }), signal);
    },
    async stop() {
      await source?.stop().catch((err) => log.error({ err }, 'feedback consumer stop failed'));
      await publisher?.disconnect().catch((err) => log.error({ err }, 'feedback producer disconnect failed'));
      await store?.close().catch((err) => log.error({ err }, 'feedback log close failed'));
    },
  };
}

/**
 * The feedback producer's connect, which waits as long as no broker answers: a stop (`signal`) ends
 * the wait at once (false). Its disconnect then does not wait for the connect: closableProducer
 * (src/adapters/kafka/closable-sender.ts) disconnects the client once connected, or it ends with the process.
 */
async function connectUnlessStopped(producer: ClosableProducer, signal?: AbortSignal): Promise<boolean> {
  if (await unlessAborted(producer.connect(), signal)) return true;
  void producer.disconnect().catch(() => undefined); // connected meanwhile: its flush is not waited for (as before)
  return false;
}

function feedbackService(
  config: Config,
  d: { policy: FeedbackPolicy; index: AlertIndex; openAlert: FeedbackServiceDeps['openAlert']; store: FeedbackLog | null; metrics: Metrics; log: Logger; publisher: () => ClosableProducer | null },
): FeedbackService {
  return new FeedbackService({
    policy: d.policy,
    index: d.index,
    ...(d.openAlert ? { openAlert: d.openAlert } : {}),
    store: d.store,
    expectedSpanMs: config.feedback.expectedSpanMs,
    onRecorded: (verdict, channel, entries) => {
      d.metrics.feedback.inc({ verdict, channel });
      d.metrics.feedbackEntries.set(entries);
    },
    publish: async (record) => {
      const p = d.publisher();
      if (p === null) return;
      await p.sendBatch({ topicMessages: [{ topic: config.feedback.topic, messages: [{ key: String(record.alertId), value: JSON.stringify(record) }] }] });
    },
    onPublishError: (err) => d.log.warn({ err }, 'feedback applied here but not published to the feedback topic; other instances will not see it'),
    onCompactError: (err) => d.log.warn({ err }, 'feedback log compaction failed; the log is whole and will be compacted again'),
  });
}

/** The alert index, band quality and (when on) incidents, as pipeline followers. */
function followersOf(index: AlertIndex, bandQuality: BandQualityTracker, incidents: IncidentGrouper | null, metrics: Metrics): PipelineFollower[] {
  const followers: PipelineFollower[] = [
    // The tail replayed after a snapshot: those alerts were published before the restart, and feedback may name them.
    { alert: (rec) => index.add(rec), replayed: (rec) => index.add(rec), realised: (s, _ts, v, step) => bandQuality.observe(s, v, step), forget: (s) => bandQuality.forget(s) },
  ];
  if (incidents === null) return followers;
  const published = (recs: IncidentRecord[]) => {
    for (const r of recs) metrics.incidents.inc({ state: r.state });
    return recs.map((r) => ({ key: r.id, value: JSON.stringify(r) }));
  };
  followers.push({
    alert: (rec, labels) => published(incidents.follow(rec, labels)),
    // The tail after a snapshot: the alerts joined their incidents before the restart (their records went out then).
    replayed: (rec, labels) => void incidents.follow(rec, labels),
    ticked: (tick, eventMs, stepBack) => incidents.tick(tick.series, tick.labels, eventMs, stepBack ? tick.tsMs : undefined),
    advance: (wallMs) => published(incidents.advance(wallMs)),
    forget: (series) => incidents.forget(series),
  });
  return followers;
}

function incidentGrouper(config: Config): IncidentGrouper | null {
  const c = config.incidents;
  if (c.groupBy === 'off' || !config.anomaly.enabled) return null;
  return new IncidentGrouper({
    groupBy: c.groupBy === 'label' ? { by: 'label', label: c.label } : { by: 'prefix', pattern: new RegExp(c.prefixPattern) },
    spanMs: c.spanMs,
    minSeries: c.minSeries,
    maxOpen: c.maxOpen,
    maxMembers: c.maxMembers,
    keepClosed: c.keepClosed,
    maxSeen: config.windows.maxSeries,
    idleMs: c.idleCloseMs,
  });
}
