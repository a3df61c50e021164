/**
 * The periodic snapshot's log lines. A snapshot that cannot be written (snapshots.dir full,
 * read-only, permissions) fails at every interval until the disk is fixed: it is logged once with
 * its code and errno, again only when the errno changes, and once when a snapshot is written again
 * (../../errors/failure-streak.ts, as the fine-tune lease renewal). tickcast_snapshot_failures_total
 * and the status's `failures` / `lastError` still count every failure.
 */
import { describeError, ErrorCodes, FailureStreak } from '../../errors/index.ts';
import type { SnapshotLogger } from './status.ts';

export class SnapshotWriteLog {
  readonly #streak = new FailureStreak();

  constructor(
    private readonly logger: SnapshotLogger,
    private readonly file: string,
  ) {}

  written(r: object): void {
    const after = this.#streak.succeeded();
    if (after !== null) this.logger.info({ file: this.file, after }, 'series-state snapshots can be written again');
    this.logger.info(r, 'series-state snapshot written');
  }

  failed(err: unknown): void {
    const { errno, log } = this.#streak.failed(err);
    if (!log) return;
    this.logger.warn(
      { code: ErrorCodes.SNAPSHOT_WRITE_FAILED, errno, file: this.file, err: describeError(err) },
      'series-state snapshot failed; the previous one stays (logged again only when the error changes, and once when a snapshot is written again)',
    );
  }
}
