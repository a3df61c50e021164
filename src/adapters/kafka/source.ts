/**
 * Kafka source: a consumer-group member built from small parts —
 *   restore planning (restore.ts): on assignment, start each partition before its committed
 *     offset and replay those records as warm-up, so windows are whole before outputs resume;
 *   commit strategy (commit.ts): at-least-once (commit after every output is acknowledged) or
 *     transactional (outputs + offsets in one transaction);
 *   batch loop (batch-loop.ts): chunks, warm-up marks, skipped-batch dead letters;
 *   lag monitor (lag.ts): tickcast_consumer_lag from broker offsets.
 * The pipeline is reached only through the RecordHandler given to start().
 *
 * Backpressure: the client does not hand a partition's next batch over until the batch loop
 * returns, and the pipeline awaits inference and produce acks; pause() holds every batch loop
 * before its next chunk until resume(), 2 s at most at a time (then it gives its batch back, so a rebalance is not held up: batch-loop.ts) (the client's own pause() marks in-flight batches stale and
 * seeks them back; in the kill -9 chaos test two partitions never resumed after that, so it is
 * not used). The client's prefetch per partition stays bounded meanwhile. */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import type { RecordHandler, TickSource } from '../../pipeline/ports.ts';
import { batchLoop } from './batch-loop.ts';
import { AtLeastOnce, reportCommitOutcomes, Transactional, warmupOnly, type CommitStrategy } from './commit.ts';
import { brokerLagReader, LagMonitor, lagStarts } from './lag.ts';
import { Handover } from './handover.ts';
import { ConsumeErrors, OffsetGaps } from './offset-gaps.ts';
import { applySnapshotPlan, hasCommitted, laterGroupStarts, pinStarts, planRestore, restoreInputs, restoreLogLines, resumeRefusedStarts, uncommittedStarts, WarmupTracker } from './restore.ts';
import { SkipProbe } from './skip-probe.ts';
import { unlessAborted } from '../../lifecycle/abortable.ts';
import { within } from '../../waits/bounded.ts';
import { atStart } from './topic-at-start.ts';
import { closeWaitMs, commitGroupStartAs } from './group-start.ts';
import { committedOffsets } from './committed.ts';
import type { KafkaSourceOptions } from './source-options.ts';
import { consumerConfig } from './consumer-config.ts';
import { RefusedChunks } from './refused-chunks.ts';

export type { KafkaSourceOptions } from './source-options.ts';

export class KafkaSource implements TickSource {
  readonly #kafka: KafkaJS.Kafka;
  readonly #o: KafkaSourceOptions;
  readonly #log: Logger;
  readonly #errors: ConsumeErrors;
  readonly #gaps = new OffsetGaps();
  readonly #warmup = new WarmupTracker();
  #consumer: KafkaJS.Consumer | null = null;
  #admin: KafkaJS.Admin | null = null;
  #lag: LagMonitor | null = null;
  #assigned = new Set<number>();
  readonly #handover = new Handover();
  /** Set by the first rebalance that assigns (an empty assignment counts); never cleared. */
  #joined = false;
  /**
   * Partitions the topic had when this run started (0: missing; Infinity: unknown). One numbered
   * at or above it was added since — a missing topic created, or partitions added to a live one —
   * so everything in it was written after start: with nothing committed it starts at its
   * beginning, whatever kafka.fromBeginning says (which would skip what was written before the
   * group saw it: KAFKA-12261).
   */
  #partitionsAtStart = Number.POSITIVE_INFINITY;
  /** Whether the group had committed offsets for the topic when this run started (undefined: unknown); see ./topic-at-start.ts. */
  #groupOffsetsAtStart: boolean | undefined;
  /** A brand-new group under fromBeginning=false: each partition's end when this run started (./restore.ts brandNewEnd). */
  #endsAtStart: Map<number, bigint> | undefined;
  /** Where this run started each partition that had nothing committed (./restore.ts resumeRefusedStarts). */
  readonly #startedUncommitted = new Map<number, bigint>();
  /** Chunks whose commit was not stored: resumed after when the partition comes back with its committed offset unchanged (./refused-chunks.ts). */
  readonly #chunks = new RefusedChunks();
  /** Where each partition last resumed after refused chunks (committed at that assignment): its refusal is reported as such, not as a chunk's. */
  readonly #resumedAt = new Map<number, bigint>();
  readonly #inFlight = new Set<number>();
  #probe: SkipProbe | null = null;
  #paused = false;
  /** Resolved while intake runs; pending while paused. */
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;
  #restoring: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | null = null;
  #groupStartClosed: () => Promise<unknown> = () => Promise.resolve(); // a brand-new group's start step (./group-start.ts): settles once its short-lived client has closed
  /** eachBatch calls running (held ones included): chunksDone() waits for none. */
  #batches = 0;
  #quiet?: () => void;

  constructor(kafka: KafkaJS.Kafka, opts: KafkaSourceOptions, logger: Logger, errors: ConsumeErrors) {
    this.#kafka = kafka;
    this.#o = opts;
    this.#log = logger.child({ module: 'kafka-source' });
    this.#errors = errors;
  }

  /** True once the group was joined (TickSource.hasJoined); owning no partition does not matter (more members than partitions, mid-rebalance). */
  hasJoined(): boolean {
    return this.#joined;
  }

  /** TickSource.handingOver: partitions revoked and the rebalance not completed yet, or the source leaving the group (stop). */
  handingOver(): boolean {
    return this.#stopping !== null || this.#handover.pending;
  }

  /** The input partitions this member owns now (none between a revocation and the next assignment). */
  get partitions(): number[] {
    return [...this.#assigned];
  }

  /** The topic, while it was missing at start and the group is not joined yet (librdkafka joins none without a subscribed topic); /readyz names it. */
  missingTopic(): string | null {
    return this.#partitionsAtStart === 0 && !this.#joined ? this.#o.topic : null;
  }

  /** `signal` (a stop) ends it where it waits for the brokers: a consumer still connecting leaves once connected, stop() disconnects one connected. */
  async start(handle: RecordHandler, signal?: AbortSignal): Promise<void> {
    const o = this.#o;
    const consumer = this.#createConsumer();
    const c = () => consumer;
    const connecting = consumer.connect();
    if (!(await unlessAborted(connecting, signal))) return void connecting.then(() => consumer.disconnect()).catch(() => undefined);
    this.#consumer = consumer;
    const admin = (this.#admin = consumer.dependentAdmin());
    if (!(await unlessAborted(admin.connect(), signal))) return;
    const known = await unlessAborted(atStart(admin, o, this.#log), signal);
    if (!known) return;
    ({ partitions: this.#partitionsAtStart, groupHasOffsets: this.#groupOffsetsAtStart, ends: this.#endsAtStart } = known.value);
    // A brand-new group: its start committed before joining (by a short-lived client without the instance id), so a member that joins later starts there too (./group-start.ts).
    if (this.#endsAtStart && !(await unlessAborted(commitGroupStartAs(this.#kafka, admin, o, this.#endsAtStart, this.#log, signal, (closed) => (this.#groupStartClosed = closed)), signal))) return;
    if (o.lag) this.#lag = new LagMonitor(o.topic, brokerLagReader(o.topic, c, () => this.#admin!), o.lag.sink, o.lag.intervalMs, this.#log);
    this.#probe = this.#createProbe(consumer);
    if (!(await unlessAborted(consumer.subscribe({ topics: [o.topic] }), signal))) return;
    reportCommitOutcomes(consumer, this.#log, (p, offset) => (this.#startedUncommitted.get(p) === offset ? 'start' : this.#resumedAt.get(p) === offset ? 'resume' : 'chunk'), o, this.#chunks);
    const strategy: CommitStrategy = o.exactlyOnce
      ? new Transactional(handle, o.exactlyOnce.turns, c, o)
      : new AtLeastOnce(handle, c, this.#log, o.onCommitFailed, this.#chunks);
    const each = batchLoop({
      chunkSize: o.chunkSize ?? 512, chunkBytes: o.chunkBytes, warmup: this.#warmup, gaps: this.#gaps, errors: this.#errors,
      strategy, warmupStrategy: warmupOnly(handle), onGap: o.onGap,
      ready: () => Promise.all([this.#restoring, this.#gate]).then(() => undefined),
      inFlight: this.#inFlight,
      onDelivered: (p) => this.#probe?.progressed(p),
    });
    await consumer.run({ eachBatchAutoResolve: false, partitionsConsumedConcurrently: o.partitionsConsumedConcurrently, eachBatch: (payload) => this.#counted(() => each(payload)) });
  }

  /** One eachBatch call, counted for chunksDone(). Once the stop began none starts: given back unresolved, it is read again after the restart. */
  async #counted(batch: () => Promise<void>): Promise<void> {
    if (this.#stopping) return;
    this.#batches++;
    await batch().finally(() => --this.#batches === 0 && this.#quiet?.());
  }

  /** The group consumer with tickcast's settings (./consumer-config.ts), its rebalances served here. */
  #createConsumer(): KafkaJS.Consumer {
    return this.#kafka.consumer(consumerConfig(this.#o, (assign, assignment, lost) => this.#rebalance(assign, assignment, lost)));
  }

  /** The probe that steps over offsets the client skipped (./skip-probe.ts), reading this source's state. */
  #createProbe(consumer: KafkaJS.Consumer): SkipProbe {
    const o = this.#o;
    return new SkipProbe(
      {
        assigned: () => [...this.#assigned],
        next: (p) => this.#gaps.next(p),
        busy: (p) => this.#paused || this.#inFlight.has(p),
        highWatermarks: async () => new Map((await this.#admin!.fetchTopicOffsets(o.topic, { timeout: 5_000, isolationLevel: 1 })).map((m) => [m.partition, BigInt(m.high)])),
        seek: (partition, offset) => consumer.seek({ topic: o.topic, partition, offset: String(offset) }),
      },
      this.#log,
    );
  }

  /** KafkaSourceOptions.onRevoking, bounded: a send that hangs must not hold the rebalance up (what it sends then may land after the next owner's read, as before). */
  async #revoking(partitions: number[]): Promise<void> {
    const hook = this.#o.onRevoking;
    if (!hook) return;
    const sent = Promise.resolve().then(() => hook(partitions));
    sent.catch((err: unknown) => this.#log.warn({ err, partitions }, 'outputs still queued not sent before the revocation: they go with a later chunk or flush'));
    if (!(await within(sent, this.#o.revokingTimeoutMs ?? 5_000))) this.#log.warn({ partitions }, 'outputs still queued not sent before the revocation in time: they go with a later chunk or flush');
  }

  /** The client reported a batch it could not decode (it will fetch it again): step over it. */
  decodeError(): void {
    void this.#probe?.onDecodeError();
  }

  /**
   * Rebalance callback: on assignment, plan the window restore and return the assignment with
   * start offsets; on revocation, forget the partitions (`lost`: the client's assignmentLost(), the
   * group dropped this member: ./handover.ts). Returning null keeps the client's default.
   */
  async #rebalance(assign: boolean, assignment: KafkaJS.TopicPartition[], lost = false): Promise<Array<{ topic: string; partition: number; offset: number }> | null> {
    const mine = assignment.filter((a) => a.topic === this.#o.topic).map((a) => a.partition);
    if (!assign) {
      for (const p of mine) {
        this.#assigned.delete(p);
        this.#gaps.forget(p);
        this.#warmup.forget(p);
      }
      this.#lag?.revoked(mine);
      if (!this.#stopping) this.#handover.revoked(mine, lost); // leaving the group at stop is no hand-over
      this.#log.info({ partitions: mine, ...(lost ? { lost } : {}) }, 'partitions revoked');
      if (mine.length > 0) await this.#revoking(mine);
      return null;
    }
    this.#joined = true;
    for (const p of mine) this.#assigned.add(p);
    this.#log.info({ partitions: mine }, 'partitions assigned');
    const gained = this.#handover.gained(mine);
    const gone = this.#handover.completed(this.#assigned);
    if (gone.length > 0) this.#o.onReleased?.(gone);
    const planned = this.#plan(mine).catch((err: unknown) => {
      this.#log.warn({ err }, 'window restore skipped: could not read committed offsets');
      return null;
    });
    // After the offsets: in exactly-once, the stable-offset fetch waited for the previous owner's open transaction.
    const inherited = planned.then(() => (gained.length > 0 ? this.#o.onGained?.(gained) : undefined)).catch((err: unknown) => this.#log.warn({ err }, 'alert state of partitions taken over not read'));
    this.#restoring = inherited.then(() => undefined);
    const plan = await planned;
    await inherited;
    this.#lag?.assigned(mine, lagStarts(plan, this.#o.fromBeginning));
    const start = plan?.start;
    if (!start || start.size === 0) return null;
    // The client wants numeric offsets here; -1001 (INVALID) = the committed offset, or the reset policy.
    return assignment.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.topic === this.#o.topic ? Number(start.get(a.partition) ?? -1001n) : -1001 }));
  }

  /**
   * Start offsets for assigned partitions that restore, and for those the group has never read
   * (nothing committed, and created after start or the group has offsets): their beginning. Sets up warm-up and gap tracking. `lagFrom`: where each
   * partition with nothing committed starts (its beginning, or its end now under fromBeginning=false).
   */
  async #plan(partitions: number[]): Promise<{ start: Map<number, bigint>; lagFrom: Map<number, bigint> } | null> {
    const topic = this.#o.topic;
    if (partitions.length === 0) return null;
    const marks = await this.#admin!.fetchTopicOffsets(topic, { timeout: 10_000, isolationLevel: 1 });
    // Every partition, named (by topic alone this admin returns none): is the group brand new? Not consumer.committed(): it reports a commit at 0 as null, like none.
    const all = [...new Set([...partitions, ...marks.map((m) => m.partition)])];
    const committed = await committedOffsets(this.#admin!, this.#o.groupId, topic, all);
    const { inputs, resumed } = this.#chunks.resume(restoreInputs(partitions, committed, marks));
    const plan = planRestore(inputs, this.#o.restoreRecordsPerPartition ?? 0);
    const full = this.#o.restoreFrom ? applySnapshotPlan(plan, inputs, this.#o.restoreFrom) : new Set<number>();
    this.#warmup.reset(plan, full, partitions); // only the partitions added: an incremental assignment keeps the others replaying
    for (const i of inputs) this.#gaps.expect(i.partition, plan.start.get(i.partition) ?? (i.committed !== undefined && i.committed >= 0n ? i.committed : undefined));
    for (const line of restoreLogLines(plan, full)) this.#log.info(line.fields, line.msg);
    const groupHasOffsets = this.#groupOffsetsAtStart ?? hasCommitted(committed);
    const { start, created, lagFrom, pin, earlier } = uncommittedStarts(plan.start, inputs, { partitionsAtStart: this.#partitionsAtStart, fromBeginning: this.#o.fromBeginning, groupHasOffsets, endsAtStart: this.#endsAtStart });
    if (earlier.length > 0) this.#log.info({ partitions: earlier, start: Object.fromEntries(earlier.map((p) => [p, String(start.get(p))])) }, "brand-new group: a later member's start replaced this member's earlier one (stored while the group was empty); these partitions start at this member's end at start");
    const skipped = laterGroupStarts(committed, [...this.#assigned], this.#endsAtStart); // every partition held: an incremental assignment names only those added
    if (skipped.length > 0) this.#log.warn({ partitions: Object.fromEntries(skipped.map((s) => [s.partition, { start: String(s.start), own: String(s.own) }])) }, "brand-new group: a later member's start replaced this member's earlier one on partitions another member was assigned; the ticks between the two starts there are not read (docs/kafka-client.md § Known limits)");
    if (created.length > 0) this.#log.info({ partitions: created, partitionsAtStart: this.#partitionsAtStart, groupHasOffsets }, 'partitions the group has never read (nothing committed): reading them from their beginning');
    resumeRefusedStarts(this.#startedUncommitted, { start, lagFrom, pin }, inputs);
    for (const [p, at] of resumed) {
      this.#resumedAt.set(p, at);
      if (!start.has(p)) start.set(p, at); // no warm-up: straight after the refused chunk
    }
    if (resumed.size > 0) this.#log.info({ partitions: Object.fromEntries([...resumed].map(([p, at]) => [p, String(at)])) }, 'partitions assigned back with their committed offset unchanged: resuming after the chunks whose commit was refused (outputs acknowledged), not reading them again');
    // Committed here, in this member's generation (as pinStarts): left to the next chunk, an idle partition showed the chunk as lag, and its next owner read it again. Refused: reported as a resume offset's (./commit.ts).
    if (resumed.size > 0 && !this.#o.exactlyOnce) await this.#consumer!.commitOffsets([...resumed].map(([partition, at]) => ({ topic, partition, offset: String(at) }))).catch((err: unknown) => this.#log.warn({ err, partitions: [...resumed.keys()], commit: 'resume' }, 'could not commit the offsets resumed after refused chunks: the next chunk commits them'));
    await pinStarts(this.#consumer!, this.#o.topic, pin, this.#log);
    return { start, lagFrom };
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#open();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** After stop(): resolves once no batch is being handled (its chunks' outputs acknowledged, offsets committed); the client's leave comes after. */
  async chunksDone(): Promise<void> {
    while (this.#batches > 0) await new Promise<void>((r) => (this.#quiet = r));
  }

  /** Leaves the group after the running batch loops finish (the client waits for them; with the brokers down its leave then takes ~3.7 s more). */
  stop(): Promise<void> {
    this.resume(); // held batch loops finish their chunk (or see isRunning() false) and return
    this.#stopping ??= (async () => {
      await this.#lag?.stop();
      const c = this.#consumer;
      if (!c) return;
      await this.#admin?.disconnect().catch((err: unknown) => this.#log.warn({ err }, 'admin disconnect failed'));
      await Promise.all([c.disconnect(), within(this.#groupStartClosed(), closeWaitMs(this.#o))]); // the start step's client, let go of at the stop's abort or when given up on (maybe still connecting then): closed before the stop ends, closeWaitMs at most
      this.#assigned.clear();
    })();
    return this.#stopping;
  }
}
