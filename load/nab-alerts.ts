/**
 * The alerts the service would send, per corpus (bench:nab's last section). NAB scores a detector
 * at the threshold that suits each corpus best; the service alerts at one fixed
 * `warningThreshold` with debounce and cooldown (docs/anomaly.md, "Alerts"). This prints, per
 * corpus, the firing events that state machine emits — how many, how many windows they catch,
 * how many fall outside every window — and NAB's scores with those events as the detections. A
 * change that looks good at NAB's optimum but floods or silences the alerts shows here
 * (docs/anomaly-rounds.md, tenth round: the recent never-seen rule's tolerance was chosen so).
 */
import type { AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { resolveAnomalyConfig } from '../src/domain/anomaly/index.ts';
import { alertRows } from '../src/eval/nab/index.ts';
import { evaluate, type LabelledCorpus } from './nab-corpora.ts';

/** One line per variant: alerts sent, windows caught, outside windows, NAB on the sent alerts. */
export function sentAlerts(corpus: LabelledCorpus, variants: Array<[string, Partial<AnomalyConfig>]>): void {
  const c = resolveAnomalyConfig(variants[0]?.[1] ?? {});
  console.log(`\n== ${corpus.label}: alerts the service sends (warning ${c.warningThreshold}, debounce ${c.debounceN}/${c.debounceM}, cooldown ${c.cooldownMs / 60_000} min), scored by NAB's rules`);
  for (const [label, config] of variants) {
    const e = evaluate(corpus, (rows) => alertRows(rows, config));
    const sent = e.files.reduce((n, f) => n + f.anomalyScores.reduce((a, b) => a + b, 0), 0);
    const std = e.results.find((r) => r.profile === 'standard')!;
    const scores = e.results.map((r) => (r.corpus.normalised ?? 0).toFixed(1)).join(' / ');
    console.log(`${label.padEnd(40)} ${String(sent).padStart(5)} sent, ${std.corpus.windowsDetected}/${std.corpus.windows} windows caught, ${std.corpus.fp} outside windows; NAB ${scores}`);
  }
}
