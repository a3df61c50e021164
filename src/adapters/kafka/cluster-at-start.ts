/**
 * The cluster at start, before the producer connects:
 *
 * - awaitBrokers: waits until a broker answers a Metadata request, for as long as it takes (a
 *   cluster still starting, a wrong address being fixed), retrying with backoff until the service
 *   is stopped. The producer's own connect gives up after 30 s with a bare "broker transport
 *   failure", which failed the start and put the pod into a restart loop while the log and
 *   docs/errors.md promised it would wait, unready.
 * - OutputTopics: which topics the service writes to do not exist. Real clusters usually refuse
 *   auto-creation (the producer asks for none), so a send to a missing topic waits out the
 *   client's message timeout, fails, and its input is redelivered and fails again: the partition
 *   makes no progress while the service looked ready. Now the start logs TC_KAFKA_TOPIC_MISSING
 *   naming them, /readyz says so, and they are looked up again until they exist.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import { checkAlertStatePartitions, type AlertStateTopics } from './alert-state-partitions.ts';

export interface AwaitBrokersOptions {
  /** For the log lines: the configured bootstrap list. */
  brokers: string;
  /** Ends the wait (rejects) when the service is stopped meanwhile. */
  signal?: AbortSignal;
  /** How long one Metadata request may wait for an answer. */
  attemptTimeoutMs?: number;
  /** The pause after a failed attempt doubles from 1 s up to this. */
  maxBackoffMs?: number;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/**
 * The start ended by a stop before any broker answered. It ends the start and reaches the log, so
 * it carries TC_SHUTTING_DOWN (until 7 Dec 2026 a plain Error, or the client's own error when the
 * stop came during an attempt) and the last attempt's failure as its cause.
 */
function stoppedWaiting(brokers: string, attempts: number, cause: unknown): TickcastError {
  return new TickcastError(
    ErrorCodes.SHUTTING_DOWN,
    `stopped while waiting for the Kafka brokers (${brokers}; ${attempts} attempt(s), none answered: ${firstLine(cause)})`,
    { statusCode: 503, retriable: true, cause },
  );
}

/** The cluster's topic names, once a broker answers; retries (logged) until then. Rejects only when `signal` aborts. */
export async function awaitBrokers(admin: KafkaJS.Admin, log: Logger, o: AwaitBrokersOptions): Promise<string[]> {
  const timeout = o.attemptTimeoutMs ?? 5_000;
  let backoff = 1_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const topics = await admin.listTopics({ timeout });
      if (attempt > 1) log.info({ brokers: o.brokers, attempts: attempt }, 'a Kafka broker answered');
      return topics;
    } catch (err) {
      if (o.signal?.aborted) throw stoppedWaiting(o.brokers, attempt, err);
      log.warn({ brokers: o.brokers, attempt, error: firstLine(err), retryInMs: backoff }, 'no Kafka broker answered (kafka.brokers / KAFKA_BROKERS); retrying, /readyz says 503 meanwhile');
      if (await sleep(backoff, o.signal)) throw stoppedWaiting(o.brokers, attempt, err);
      backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 10_000);
    }
  }
}

/** Topics the service writes to that the cluster lacks; looked up again every `intervalMs` until none is missing. */
export class OutputTopics {
  #missing: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(
    private readonly topics: readonly string[],
    private readonly log: Logger,
  ) {}

  /** The missing ones now (readiness names them). */
  missing(): string[] {
    return [...this.#missing];
  }

  /** Compare with the cluster's topics; when some are missing, log it and look again with `list` until they exist. */
  observe(existing: readonly string[], list: () => Promise<string[]>, intervalMs: number): void {
    this.#update(existing);
    if (this.#missing.length === 0) return;
    const err = new TickcastError(
      ErrorCodes.KAFKA_TOPIC_MISSING,
      `output topic(s) ${this.#missing.map((t) => `"${t}"`).join(', ')} do not exist: writes to them fail and the input partitions whose outputs go there do not advance until they are created (create them, or set kafka.createTopics where the cluster allows it)`,
      { details: { topics: this.#missing } },
    );
    this.log.error({ code: err.code, topics: this.#missing }, err.message);
    const again = () => {
      this.#timer = null;
      void list().then(
        (names) => {
          if (this.#stopped) return;
          this.#update(names);
          if (this.#missing.length === 0) this.log.info({ topics: this.topics }, 'every output topic exists now');
          else this.#timer = setTimeout(again, intervalMs).unref();
        },
        (e: unknown) => {
          if (this.#stopped) return;
          this.log.warn({ error: firstLine(e) }, 'could not list the topics to look for the missing output topics; trying again');
          this.#timer = setTimeout(again, intervalMs).unref();
        },
      );
    };
    this.#timer = setTimeout(again, intervalMs).unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #update(existing: readonly string[]): void {
    const have = new Set(existing);
    this.#missing = [...new Set(this.topics)].filter((t) => !have.has(t));
  }
}

/**
 * The topic list, looked up again (at most 10 times, 500 ms apart) while it lacks `topic`, which
 * kafka.createTopics has just asked for: a topic just created reaches every broker's metadata
 * only a little later (Kafka's AdminClient: "it may take several seconds"), so the list read
 * right after may not name it yet. Until 7 Dec 2026 that first list alone was judged, and the
 * start refused the alert-state topic it had just created (TC_ALERT_STATE_PARTITIONS). A topic
 * the broker refused to create stays missing: the start then refuses it ~5 s later.
 */
async function listedOnceCreated(admin: KafkaJS.Admin, existing: string[], topic: string, signal?: AbortSignal): Promise<string[]> {
  let names = existing;
  for (let look = 0; look < 10 && !names.includes(topic); look++) {
    if (await sleep(500, signal)) break;
    names = await admin.listTopics({ timeout: 10_000 }).catch(() => names);
  }
  return names;
}

/**
 * The transport's start: connect `admin`, wait for a broker, create topics (`create`, when
 * kafka.createTopics), refuse an alert-state topic with fewer partitions than the input
 * (`alertState`, with topics.alertState: ./alert-state-partitions.ts), then look for missing
 * output topics (kept looking every `recheckMs`).
 * `admin` stays connected for those looks; it is disconnected here only when this fails.
 */
export async function checkCluster(
  admin: KafkaJS.Admin,
  outputs: OutputTopics,
  log: Logger,
  o: AwaitBrokersOptions & { create: (() => Promise<void>) | null; recheckMs: number; alertState?: AlertStateTopics },
): Promise<void> {
  await admin.connect();
  try {
    let existing = await awaitBrokers(admin, log, o);
    if (o.create) {
      await o.create();
      existing = await admin.listTopics({ timeout: 10_000 }).catch(() => existing);
      if (o.alertState) existing = await listedOnceCreated(admin, existing, o.alertState.state, o.signal);
    }
    if (o.alertState) await checkAlertStatePartitions(admin, o.alertState, existing);
    outputs.observe(existing, () => admin.listTopics({ timeout: 10_000 }), o.recheckMs);
  } catch (err) {
    await admin.disconnect().catch(() => undefined);
    throw err;
  }
}
