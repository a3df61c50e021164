/**
 * Sends that outlive the producer. The client resolves a send only on its delivery report; once the
 * producer is disconnected (the stop's flush gave up on unreachable brokers), what it still held is
 * dropped and no report ever comes, so a chunk awaiting it waited for good — its consumer could not
 * leave the group, its native client kept the process alive (a test file never ended: CI stop 47).
 * `close()` fails every send still waiting, and every later one, with the reason: the chunk fails
 * like any failed send (offsets uncommitted, processed again after the restart).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { BatchSender } from './sink.ts';

/** A producer whose sends end when it is disconnected (the alert-feedback publisher). */
export interface ClosableProducer extends BatchSender {
  connect(): Promise<void>;
  /** Flushes (the client: up to 5 s) and disconnects, then fails every send still waiting. */
  disconnect(): Promise<void>;
}

export class ClosableSender implements BatchSender {
  readonly #inner: BatchSender;
  readonly #waiting = new Set<(err: Error) => void>();
  #closed: Error | null = null;

  constructor(inner: BatchSender) {
    this.#inner = inner;
  }

  sendBatch(batch: KafkaJS.ProducerBatch): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      this.#waiting.add(reject);
      this.#inner
        .sendBatch(batch)
        .then(resolve, reject)
        .finally(() => this.#waiting.delete(reject));
    });
  }

  /** Fails the sends still waiting, and every later one, with `reason`. */
  close(reason: Error): void {
    this.#closed ??= reason;
    for (const reject of this.#waiting) reject(this.#closed);
    this.#waiting.clear();
  }
}

/**
 * Why a send still waiting ends: TC_SHUTTING_DOWN, retriable (the records go again after the
 * restart). It reaches the feedback publisher's log line as it is, and the output sink's
 * TC_PRODUCE_FAILED as its cause; until 7 Dec 2026 a plain Error with no code.
 */
function disconnected(when: string): TickcastError {
  return new TickcastError(ErrorCodes.SHUTTING_DOWN, `the producer was disconnected (service stopping) ${when}`, { retriable: true, statusCode: 503 });
}

/** Flushes (the client: up to 5 s) and disconnects `producer`; what it still held is dropped without a delivery report, so `sender`'s sends fail now. */
async function disconnectProducer(producer: KafkaJS.Producer, sender: ClosableSender): Promise<void> {
  try {
    await producer.disconnect();
  } finally {
    sender.close(disconnected('before the brokers acknowledged this send'));
  }
}

/**
 * `producer` with its sends through `sender` (by default a ClosableSender over it), which its
 * disconnect() closes. A disconnect while the connect still waits for the brokers does not wait
 * for it (the client's connect gives up after 30 s, and its disconnect would wait that out): the
 * producer is disconnected once connected (a failed connect ends the client by itself).
 */
export function closableProducer(producer: KafkaJS.Producer, sender = new ClosableSender(producer)): ClosableProducer {
  let connecting: Promise<void> | null = null;
  let connected = false;
  return {
    connect: () => (connecting = producer.connect()).then(() => void (connected = true)),
    sendBatch: (batch) => sender.sendBatch(batch),
    disconnect: async () => {
      if (connecting === null || connected) return disconnectProducer(producer, sender);
      connecting.then(() => producer.disconnect()).catch(() => undefined);
      sender.close(disconnected('while it was still connecting'));
    },
  };
}
