/**
 * Phase 1 of the stream pipeline for the ticks of one record — one for a JSON tick object, any
 * number for a SenML pack (input.format senml) — and the record's one dead letter, if any. Each tick
 * is taken on its own; the record is dead-lettered at most once (since 7 Dec 2026; before, a pack
 * was dead-lettered once per tick with nothing to carry, and a tick that threw lost the pack's later
 * ticks while its earlier ones stayed taken):
 * - a tick whose processing throws (a fault of tickcast's, not of the record): TC_RECORD_PROCESSING_FAILED
 *   naming the first such tick; the record's other ticks still go on, and a tick that threw after its
 *   window push is still forecast (StreamPipeline #take takes it on first). A re-driven pack repeats the
 *   ticks taken, which input.duplicatePolicy 'drop' (the default) drops as duplicates, or as late.
 * - ticks 'incomplete' (input.missingFeature carry, nothing to carry yet): TC_RECORD_MISSING_FEATURE
 *   naming the first and the other series, not counted again as a dead letter (each was counted incomplete).
 * Both: the one dead letter carries both reasons, the failure's first (before 7 Dec 2026 the missing
 * feature went unreported, so a gateway fixed for one fault came back with the other).
 */
import type { TickcastError } from '../errors/index.ts';
import type { Tick } from '../domain/types.ts';
import { nothingToCarry, processingFailed } from './dead-letter.ts';

/**
 * `counted` for the dead letter of a tick that failed once windowed (a hook after its push or its
 * read, phase 1, or its scoring, phase 3; StreamPipeline): false. The tick stays in its window — the store has no undo —
 * and the series' next forecast is made on it, so its push's outcome (accepted, merged), told by
 * StreamPipeline #take, holds: the record counts once in tickcast_ticks_total, its dead letter in
 * tickcast_dlq_total (since 7 Dec 2026; before, it counted as accepted and dead_letter both).
 */
export const FAILED_AFTER_WINDOWING = false;

/** What `take` tells of its tick: `told` once its push's outcome is counted (a throw after that is FAILED_AFTER_WINDOWING). One object serves a record's ticks: `take` must not keep it. */
export interface TakeTold { told: boolean }

/**
 * `take`: windows one tick, true when it was refused as 'incomplete'; it sets `told` once the tick's
 * outcome is counted. Null: nothing to dead-letter; else the reasons of the record's one dead letter,
 * first first, and whether it counts as a `dead_letter` outcome: only when a tick threw before its
 * outcome was told (since 7 Dec 2026, evening; before, a tick whose hook threw after its outcome
 * counted as merged or accepted and dead_letter both).
 */
export function takeTicks(ticks: readonly Tick[], take: (tick: Tick, state: TakeTold) => boolean | void, features: readonly string[]): { errors: TickcastError[]; counted: boolean } | null {
  let incomplete: Tick[] | undefined;
  let failed: TickcastError | undefined;
  let untold = false;
  const state: TakeTold = { told: false }; // one for the record's ticks, reset for each: this runs per tick (test/unit/pipeline/record-ticks.test.ts)
  for (const tick of ticks) {
    state.told = false;
    try {
      if (take(tick, state) === true) (incomplete ??= []).push(tick);
    } catch (err) {
      failed ??= processingFailed(err, ticks.length > 1 ? { tick, of: ticks.length } : undefined);
      untold ||= !state.told;
    }
  }
  const carry = incomplete && nothingToCarry(incomplete[0], features, incomplete.slice(1));
  if (failed) return { errors: carry ? [failed, carry] : [failed], counted: untold };
  return carry ? { errors: [carry], counted: false } : null;
}
