/**
 * Entries of the service's per-series maps, by holder: what a long-running instance keeps for the
 * series it holds. Each should stay bounded by windows.maxSeries (or its own cap) and follow
 * evictions; the soak harness (load/soak.ts, npm run bench:soak) samples them to tell a leak.
 */
import type { Alerting } from './app-alerting.ts';
import type { ForecastFusion } from './domain/fusion/forecast-fusion.ts';
import type { WindowStore } from './domain/window-store.ts';
import type { RecentAnomalies } from './pipeline/recent-anomalies.ts';
import type { SeriesOutlook } from './pipeline/series-outlook.ts';

export interface StateSizeParts {
  store: WindowStore;
  outlook: SeriesOutlook;
  /** The bare detector (null: anomaly detection off). */
  scorer: { readonly size: number } | null;
  fusion: ForecastFusion | null;
  alerting: Alerting;
  recentAnomalies: RecentAnomalies;
  /** Each series' first SenML units (null: JSON input or input.senmlUnits 'any'). */
  units: { readonly size: number } | null;
  /** Each series' input partition (SeriesHomes: the snapshot and a rebalance's release group by it). */
  homes: { readonly size: number };
}

export function stateSizes(p: StateSizeParts): Record<string, number> {
  const inc = p.alerting.incidents?.sizes();
  return {
    registry: p.store.registry.size,
    windows: p.store.size,
    outlook: p.outlook.size,
    detector: p.scorer?.size ?? 0,
    fusion: p.fusion?.size ?? 0,
    bandQuality: p.alerting.serving.bandQuality.size,
    feedbackGate: p.alerting.gateState.size(),
    alertIndex: p.alerting.alertIndex.size,
    recentAnomalies: p.recentAnomalies.size,
    units: p.units?.size ?? 0,
    homes: p.homes.size,
    incidentsOpen: inc?.open ?? 0,
    incidentsClosed: inc?.closed ?? 0,
    incidentsSeen: inc?.seen ?? 0,
    incidentsFiringSeries: inc?.firingSeries ?? 0,
  };
}
