/**
 * The transactional producer's turns (exactly-once). The producer runs one transaction at a time,
 * so every transaction takes its turn here: a chunk's (its outputs and its input offsets:
 * commit.ts `Transactional`) and one of outputs that no input record carries (`ownTransactions`).
 * The sink writes into whichever transaction holds the slot (sink.ts `TransactionSlot`).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import type { OutputSink } from '../../pipeline/ports.ts';
import type { TransactionSlot } from './sink.ts';

export class TransactionTurns {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly producer: KafkaJS.Producer,
    private readonly slot: TransactionSlot,
    private readonly log: Logger,
  ) {}

  /** Open a transaction when the ones before are done, run `work` in it, commit; abort (and reject) when anything fails. */
  run<T>(work: (tx: KafkaJS.Transaction) => Promise<T>): Promise<T> {
    const turn = this.#tail.then(async () => {
      const tx = await this.producer.transaction();
      this.slot.current = tx;
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (err) {
        await tx.abort().catch((e: unknown) => this.log.warn({ err: e }, 'transaction abort failed'));
        throw err;
      } finally {
        this.slot.current = null;
      }
    });
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * A sink whose every send is a transaction of its own, with no input offsets: for outputs no
 * committed input carries — the `resolved (evicted)` records of series the idle loop evicted while
 * firing, sent after the sweep and at stop (before, exactly-once held them for the next chunk's
 * transaction, and a stop while no input came lost them: the alert stayed open downstream), and
 * what a chunk of warm-up records only outputs (the source opens no transaction for it, and the
 * sink writes into none: before, such a chunk failed and came again with the same outputs), and
 * the dead letters of the feedback topic's consumer (likewise refused before).
 * Each send resolves once its transaction is committed (read_committed consumers see it).
 */
export function ownTransactions(turns: TransactionTurns, sink: OutputSink): OutputSink {
  return { send: (out) => turns.run(() => sink.send(out)) };
}
