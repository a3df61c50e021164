/** Resolves once a forecast reaches `serving` (the request is in its handler): await it instead of a fixed sleep. */
import type { TrendServing } from './trend-serving.ts';

export function forecastArrives(serving: TrendServing): Promise<void> {
  let arrived!: () => void;
  const inHandler = new Promise<void>((r) => (arrived = r));
  const forecast = serving.forecast.bind(serving);
  serving.forecast = (req, signal) => {
    arrived();
    return forecast(req, signal);
  };
  return inHandler;
}
