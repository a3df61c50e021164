/**
 * The pipeline's holders of per-series state follow the series registry: when it evicts a series
 * (capacity, idle, removal) each forgets it (docs/architecture.md, "Per-series state").
 *
 * One gap that following alone leaves: a chunk's ticks are windowed first (phase 1) and scored and
 * forecast later (phase 3, stream-pipeline.ts). A series evicted in between — by a new series
 * later in the same chunk at `windows.maxSeries`, or by the idle loop or a partition release while
 * the chunk waited for the model — got its outlook, detector, fusion, learner and follower state
 * back from its own earlier ticks in phase 3, after the registry had announced its departure. No
 * one would ever forget it again: memory grew with every such series (a fleet above the cap churns
 * through them constantly), and when the series came back it was judged against the forecast and
 * alert state it had before it was evicted. `sweep` drops that state again once phase 3 is done.
 */
import type { WindowStore } from '../domain/window-store.ts';
import type { EvictionReason } from '../domain/series-registry.ts';

export class SeriesDepartures {
  readonly #store: WindowStore;
  readonly #forget: (series: string) => void;
  readonly #leaving: (series: string, reason: EvictionReason) => void;
  /** Why each series left since the last sweep (a series evicted again in `sweep` leaves for the same reason). */
  readonly #reasons = new Map<string, EvictionReason>();
  #count = 0;

  /**
   * `forget`: drop every holder's state for the series; `announce`: report a departure (telemetry);
   * `leaving`: told first, while the state is still there (the alerts of a series evicted while firing).
   */
  constructor(store: WindowStore, forget: (series: string) => void, announce: (series: string, reason: EvictionReason) => void, leaving: (series: string, reason: EvictionReason) => void = () => {}) {
    this.#store = store;
    this.#forget = forget;
    this.#leaving = leaving;
    store.registry.follow((series, reason) => {
      this.#count++;
      this.#reasons.set(series, reason);
      leaving(series, reason);
      forget(series);
      announce(series, reason);
    });
  }

  /** Departures so far (a mark to pass to `sweep`). */
  get count(): number {
    return this.#count;
  }

  /** After phase 3: when any series left since `mark`, forget again those of `series` no longer held. */
  sweep(mark: number, series: Iterable<string>): void {
    if (this.#count === mark) {
      this.#reasons.clear();
      return;
    }
    const done = new Set<string>();
    for (const s of series) {
      if (done.has(s) || this.#store.has(s)) continue;
      done.add(s);
      this.#leaving(s, this.#reasons.get(s) ?? 'removed');
      this.#forget(s);
    }
    this.#reasons.clear();
  }
}
