/**
 * The fine-tuner's automatic rollback of its watched promotion (round-policy.ts `rollback`
 * action), carried out through the promoter. An operator's pin or manual rollback that came first
 * — serialised before it in the promoter, or made while the watch was being scored — wins: the
 * promoter refuses (409) and the watch ends without a decision. Before 6 Dec 2026 the rollback
 * was done anyway: a pinned version was replaced (and the pin then pulled it back at the next
 * follow), or an operator's rollback was undone by the queued automatic one.
 */
import { ErrorCodes, describeError, isTickcastError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { ChampionControl } from '../promoter.ts';
import type { RoundAction } from './round-policy.ts';
import type { TrainerHost } from './trainer-host.ts';

/** Serve `a.to` again (logged as a warning) and make the trainer's previous model its champion. Resolves null when done, else why it was refused. */
export async function autoRollback(control: ChampionControl, host: TrainerHost, a: Extract<RoundAction, { type: 'rollback' }>, log: Logger): Promise<string | null> {
  try {
    await control.rollbackTo(a.to, a.reason, host.offload('previous'), a.from);
  } catch (err) {
    // The promoter's refusal (409): pinned (here, or in model.dir by another replica), or replaced meanwhile.
    const refused = control.pinned || control.champion.version !== a.from || (isTickcastError(err) && err.code === ErrorCodes.MODEL_NOT_LOADED && err.statusCode === 409);
    if (!refused) throw err; // a failure: the loop reports it
    const why = describeError(err);
    log.info({ from: a.from, to: a.to, serving: control.champion.version, pinned: control.pinned }, `automatic rollback to ${a.to} not done: ${why}`);
    return why;
  }
  await host.call({ type: 'revert' });
  log.warn({ from: a.from, to: a.to }, a.reason);
  return null;
}
