/**
 * Input partitions this instance no longer owns (a rebalance gave them to another instance, and
 * did not hand them back): the series homed on them are dropped from memory through the series
 * registry (every holder forgets them: window, outlook, detector, fine-tuner; counted as
 * tickcast_series_evicted_total{reason="removed"}), and the snapshotter forgets their offsets.
 *
 * Why: their state only ages from then on. Kept, it held memory until idle eviction (6 h), went
 * into every snapshot with the offset of the day it left, and a restart restored it from there
 * and replayed everything the other instance had handled since through the model. Should the
 * partition come back later, the plain replay rebuilds its windows from the committed offset.
 */
import type { SeriesHomes } from './snapshot/series-state.ts';

export interface PartitionReleaseParts {
  /** Drops a series through the series registry (WindowStore.delete). */
  store: { delete(series: string): boolean };
  homes: Pick<SeriesHomes, 'seriesOn'>;
  /** The snapshotter (null: snapshots off); read when a release happens (it is built later). */
  snapshots: () => { released(partitions: readonly number[]): void } | null;
  /** Alerts inherited from the partitions' previous owner and not yet resolved here: the next owner reads them itself (alert-state.ts). */
  inherited?: { release(partitions: readonly number[]): void } | null;
  /**
   * Which alerts of a series are open downstream (SeriesOutlook). Without `inherited`
   * (topics.alertState off) nobody resolves those of the released series: they are counted and
   * said at warn level, so the on-call knows which alerts may stay firing (the pager's side).
   */
  openAlerts?: { openFeatures(series: string): readonly string[] };
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** The hook the Kafka source calls with the partitions a rebalance handed elsewhere (KafkaSourceOptions.onReleased). */
export function partitionRelease(p: PartitionReleaseParts): (partitions: readonly number[]) => void {
  return (partitions) => {
    if (partitions.length === 0) return;
    p.snapshots()?.released(partitions);
    p.inherited?.release(partitions);
    const series = p.homes.seriesOn(new Set(partitions));
    const leftOpen = p.inherited ? [] : series.flatMap((id) => (p.openAlerts?.openFeatures(id) ?? []).map((feature) => ({ series: id, feature })));
    for (const id of series) p.store.delete(id);
    p.logger.info({ partitions: [...partitions], series: series.length }, 'input partitions went to another instance: their series state is dropped here');
    if (leftOpen.length === 0) return;
    p.logger.warn(
      { partitions: [...partitions], alerts: leftOpen.length, open: leftOpen.slice(0, 20) },
      `${leftOpen.length} alert(s) open on series of input partitions that went to another instance stay firing downstream unless that instance's own state has them firing: set topics.alertState to hand them over (docs/reliability.md § Open alerts that follow their partition)`,
    );
  };
}
