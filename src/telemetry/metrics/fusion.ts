import { Gauge, type Registry } from 'prom-client';

/** Fusion with fast baselines (fusion.*): series per source, read at each scrape. */
export function fusionMetrics(registers: Registry[]) {
  let read: (() => Record<string, number>) | null = null;
  return {
    /** Read tickcast_forecast_source_series from this function at each scrape (ForecastFusion.servedCounts). */
    watchForecastSources(r: () => Record<string, number>): void {
      read = r;
    },
    forecastSources: new Gauge({
      name: 'tickcast_forecast_source_series',
      help: "Series by what their model forecasts are served as: source=\"model\", or the fast baseline that has done better on the series' recent ticks (baseline:naive, baseline:seasonal-naive, baseline:drift; fusion.*).",
      labelNames: ['source'] as const,
      registers,
      collect() {
        if (read) for (const [source, n] of Object.entries(read())) this.set({ source }, n);
      },
    }),
  };
}
