/**
 * Start and stop order of the service, and its state (`ServiceState`): the one owner of both.
 *
 * Start: HTTP listening (liveness up, readiness 503 "starting") → sink (producer connected; while
 * the brokers cannot be reached this waits, saying so every 15 s) → alerting extras → snapshot
 * loaded → source (consumer joins the group) → backpressure wired → model lifecycle (fine-tuning)
 * → background loops. A stop during start (SIGTERM while waiting for brokers, loading the snapshot,
 * joining the group) ends it quietly: the waits for the brokers at once (the producers', the
 * consumers' connects), any other step when it is done — the drain waits for that, then stops every
 * part, and the state never turns "running".
 * Stop (reverse): HTTP refuses new work (503 while draining) → source stops fetching and lets
 * in-flight chunks finish (each commits only after its outputs are acknowledged) → inference drains
 * → resolves of series evicted since the last chunk sent → snapshot written → alerting extras stop (the
 * feedback consumer) → producer flushes and disconnects → loops stop → model disposed → HTTP closes.
 * What waits for the brokers (the chunks' outputs, the input consumer's leave, the resolves, the
 * feedback consumer's dead letters, the producer's flush) gets
 * `shutdown.flushMs` together (at most half of graceMs): past it the chunks still in flight are given
 * up — uncommitted, processed again after the restart, left out of the snapshot — and the stop
 * goes on without the brokers; it then reports itself incomplete (main.ts exits 1). Only chunks
 * given up make it incomplete: the other waits past the bound are logged and lose nothing.
 * `stop()` twice returns the same promise.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.ts';
import { describeError } from './errors/index.ts';
import { memberExpiry } from './config/kafka-security.ts';
import type { WindowStore } from './domain/window-store.ts';
import type { RawRecord, ServiceState } from './domain/types.ts';
import type { InferenceStage } from './pipeline/inference.ts';
import type { OutputSink, TickSource } from './pipeline/ports.ts';
import type { StreamPipeline } from './pipeline/stream-pipeline.ts';
import type { SeriesSnapshotter } from './pipeline/snapshot/snapshotter.ts';
import type { ModelService } from './model/model-service.ts';
import type { KafkaTransport } from './adapters/kafka/transport.ts';
import type { Logger } from './telemetry/logger.ts';
import type { Metrics } from './telemetry/metrics.ts';
import type { TelemetryObserver } from './telemetry/pipeline-observer.ts';
import { loop } from './lifecycle/abortable.ts';
import { waitBudget } from './waits/bounded.ts';
import { once } from './lifecycle/service.ts';
import { listenDualStack } from './adapters/http/listen.ts';
import type { Alerting } from './app-alerting.ts';

/** Every part whose start or stop the service orders. */
export interface LifecycleParts {
  config: Config;
  log: Logger;
  metrics: Metrics;
  observer: TelemetryObserver;
  model: ModelService;
  inference: InferenceStage;
  store: WindowStore;
  kafka: KafkaTransport | null;
  sink: OutputSink;
  /** For outputs sent between chunks (./adapters/kafka/transport.ts `looseSink`). */
  looseSink: OutputSink;
  alerting: Alerting;
  source: TickSource;
  pipeline: StreamPipeline;
  snapshots: SeriesSnapshotter | null;
  http: FastifyInstance | null;
}

/**
 * One pass of the idle loop (every 10 s): series not seen for windows.idleEvictMs are evicted
 * (announced by the registry: every holder forgets them; a firing one gets its `evicted` resolve),
 * and those resolves are sent — no record may come to carry them — with the `moved` resolves of
 * alerts inherited at a take-over whose series stayed quiet since.
 *
 * Not while partitions are being handed over (the source's `handingOver`): their series may
 * already be another instance's, which reads their alert state as it takes them. An `evicted`
 * resolve and tombstone sent now landed after that read: a second resolve downstream, and a
 * tombstone over the new owner's state (which a later alert of the series there writes). Nor do
 * inherited alerts expire then (their `moved` resolve and tombstone would land the same way; until
 * 6 Dec 2026, night, they did): what was queued before is still sent. The series and inherited
 * alerts of partitions that went are dropped quietly when the rebalance completes
 * (pipeline/partition-release.ts); those that came back are judged at the next pass.
 */
export async function idleSweep(p: Pick<LifecycleParts, 'store' | 'metrics' | 'source' | 'pipeline' | 'looseSink' | 'config'>, nowMs: number): Promise<void> {
  const handingOver = p.source.handingOver?.() === true;
  if (!handingOver) p.store.evictIdle(nowMs);
  p.metrics.seriesActive.set(p.store.size);
  await p.pipeline.flushDeparted(p.looseSink, handingOver ? undefined : nowMs - p.config.windows.idleEvictMs);
}

/** How a stop ended: `complete` false when chunks in flight were given up (their outputs never acknowledged). */
export interface StopOutcome {
  complete: boolean;
}

export class AppLifecycle {
  #p: LifecycleParts | null = null;
  #state: ServiceState = 'idle';
  #address: string | null = null;
  readonly #loops = new AbortController();
  readonly #background: Promise<void>[] = [];
  readonly stop: () => Promise<StopOutcome> = once(() => this.#stop());
  /** Aborted when stop() is called: a start still awaiting something (the brokers) then ends quietly. */
  readonly #stopRequested = new AbortController();
  #starting: Promise<void> | null = null;

  get state(): ServiceState {
    return this.#state;
  }

  /** Address the HTTP server listens on (after start). */
  get address(): string | null {
    return this.#address;
  }

  /** The parts, once built (the state exists before them: health reports it). */
  attach(parts: LifecycleParts): void {
    this.#p = parts;
  }

  /** Starts the parts in order; a stop() meanwhile ends it at the next step (the drain waits for that). */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const p = this.#p!;
    const stopping = () => this.#stopRequested.signal.aborted;
    if (stopping()) return;
    this.#state = 'starting';
    try {
      if (p.http) {
        this.#address = await listenDualStack(p.http, p.config.http.host, p.config.http.port, p.log);
        p.log.info({ address: this.#address }, 'HTTP listening');
      }
      if (p.kafka && !stopping()) await this.#connectKafka(p, p.kafka);
      const handle = (records: RawRecord[]) => p.pipeline.handle(records);
      const stop = this.#stopRequested.signal; // the consumers' connects end at once on a stop (brokers that went away)
      const steps: (() => Promise<void> | void)[] = [
        () => p.alerting.start(p.kafka, p.looseSink, stop), // feedback dead letters: no chunk transaction carries them (exactly-once)
        () => p.snapshots?.load(),
        () => p.source.start(p.snapshots ? p.snapshots.wrap(handle) : handle, stop),
        () => (p.snapshots?.start(), this.#followPressure(p)),
        () => p.model.start(),
      ];
      // A stop meanwhile: no part starts after the drain has begun (it would run behind it).
      for (const step of steps) if (!stopping()) await step();
      if (stopping()) return;
      const onErr = (err: unknown) => p.log.error({ err: describeError(err) }, 'background loop error');
      this.#background.push(
        loop(10_000, this.#loops.signal, () => idleSweep(p, Date.now()), onErr),
      );
      this.#state = 'running';
      const predictor = p.model.predictor;
      p.log.info({ mode: p.kafka ? 'kafka' : 'embedded', model: predictor.version, engine: predictor.engine, backend: predictor.backend }, 'tickcast running');
    } catch (err) {
      if (stopping()) {
        p.log.info({ reason: describeError(err).split('\n')[0] }, 'start abandoned: the service was asked to stop');
        return;
      }
      this.#state = 'failed';
      throw err;
    }
  }

  /** The producer's connect, which waits as long as no broker answers: say so, naming the setting. */
  async #connectKafka(p: LifecycleParts, kafka: KafkaTransport): Promise<void> {
    const brokers = p.config.kafka.brokers.join(',');
    p.log.info({ brokers }, 'connecting to Kafka');
    const started = Date.now();
    const waiting = setInterval(() => {
      p.log.warn({ brokers, waitedS: Math.round((Date.now() - started) / 1000) }, 'still waiting for the Kafka brokers (kafka.brokers / KAFKA_BROKERS): none has answered yet; /readyz says 503 until one does');
    }, 15_000);
    // A stop ends the wait at once; the client's own connect attempt then ends with the process.
    const stopped = new Promise<void>((resolve) => this.#stopRequested.signal.addEventListener('abort', () => resolve(), { once: true }));
    const connecting = kafka.connect(this.#stopRequested.signal);
    connecting.catch(() => undefined); // its failure after a stop is nobody's business
    // tickcast_kafka_up 0 (absent in embedded mode) until the consumer's offset reads, from its
    // first assignment on, say otherwise: a pod whose brokers never answer fires TickcastKafkaUnreachable.
    p.observer.brokersReached(false);
    try {
      await Promise.race([connecting, stopped]);
    } finally {
      clearInterval(waiting);
    }
  }

  /**
   * Backpressure: the batcher announces saturation (queue above the high-water mark) and drain
   * (back at the low-water mark); intake follows. Stream hand-offs beyond its capacity wait.
   */
  #followPressure(p: LifecycleParts): void {
    const onPressure = ({ saturated, queued }: { saturated: boolean; queued: number }) => {
      if (saturated) p.source.pause();
      else p.source.resume();
      p.observer.backpressure(saturated, queued);
    };
    this.#loops.signal.addEventListener('abort', p.inference.onPressure(onPressure), { once: true });
    if (p.inference.saturated) onPressure({ saturated: true, queued: p.inference.queued });
    p.observer.watchQueue(() => p.inference.queued);
  }

  async #stop(): Promise<StopOutcome> {
    this.#stopRequested.abort();
    const p = this.#p!;
    if (this.#state === 'stopped') return { complete: true };
    this.#state = 'draining';
    const log = p.log;
    log.info('draining');
    // A start under way ends at its next step (the brokers' wait at once): stopping parts it is
    // still starting would race their start, and a part started after its stop would run on.
    await this.#starting?.catch(() => undefined);
    const flushMs = Math.min(p.config.shutdown.flushMs, p.config.shutdown.graceMs / 2);
    const brokers = waitBudget(flushMs); // every wait for the brokers below, together
    // The source leaves the group once its chunks in flight are done: each waits for its outputs' acknowledgement.
    const leaving = p.source.stop().catch((err) => log.error({ err }, 'source stop failed'));
    const complete = await brokers(p.source.chunksDone?.() ?? leaving);
    if (!complete) {
      const partitions = p.snapshots?.giveUpInFlight() ?? [];
      log.warn({ flushMs, partitions }, 'outputs of the chunks in flight not acknowledged within shutdown.flushMs (brokers unreachable?): given up; their records stay uncommitted and are processed again after the restart, and the snapshot leaves their partitions out');
    }
    // The leave itself gives nothing up (with the brokers down the client takes ~3.7 s over it): past
    // what is left of flushMs the stop goes on without it, still complete (until 6 Dec 2026 it counted as a give-up: exit 1).
    if (!(await brokers(leaving))) log.warn({ flushMs }, `input consumer not disconnected within shutdown.flushMs (brokers unreachable?): the stop goes on; nothing in flight is lost by it, and the group drops this member after ${memberExpiry(p.config.kafka)}`);
    // The eviction loop stops before the last flush and the snapshot: a series it evicted after them
    // would have its resolve record queued and never sent (its alert firing downstream for good).
    this.#loops.abort();
    await Promise.all(this.#background);
    await p.inference.close().catch((err) => log.error({ err }, 'inference drain failed'));
    const resolves = p.pipeline.flushDeparted(p.looseSink).catch((err) => log.error({ err }, 'resolved records of evicted series not sent'));
    if (!(await brokers(resolves))) log.error('resolved records of evicted series not sent: not acknowledged within shutdown.flushMs');
    await p.snapshots?.stop(); // after the source: every handled chunk is committed (or given up, and left out)
    // Before the producer's disconnect: the feedback consumer's dead letters go through it. Its batch
    // waits for their send, so with the brokers down this waited for the client's message timeout
    // (300 s) past graceMs: within what is left of shutdown.flushMs, then the disconnect below fails the send.
    const alerting = p.alerting.stop();
    if (!(await brokers(alerting))) log.warn('feedback consumer not stopped within shutdown.flushMs (a dead letter waiting for the brokers?): its batch fails once the producer is disconnected, and is read again after the restart');
    // Also after a stop during start: the admin client (and its missing-topic look-ups) and a
    // producer still connecting would otherwise live on — a process that embeds the service never
    // exited (the transport disconnects such a producer once connected, without waiting). The
    // flush waits for the brokers: within what is left of shutdown.flushMs (the process drops what is still queued).
    const disconnect = p.kafka ? p.kafka.disconnect().catch((err) => log.error({ err }, 'producer disconnect failed')) : null;
    if (disconnect && !(await brokers(disconnect))) log.warn('producer not flushed and disconnected within shutdown.flushMs: what it still held is dropped (never committed)');
    await alerting; // ends once the disconnect has failed the sends still waiting (at most its 5 s flush)
    await p.model.stop().catch((err) => log.error({ err }, 'model stop failed'));
    if (p.http) await p.http.close().catch((err) => log.error({ err }, 'http close failed'));
    this.#state = 'stopped';
    log.info({ complete }, 'stopped');
    return { complete };
  }
}
