/**
 * Corpus scoring as NAB does it: sweep every file, optimise ONE threshold per profile over all
 * files jointly, then normalise `100 · (raw − null) / (perfect − null)` where `null` is the score
 * with no detections (−fnWeight per scorable window) and `perfect` is tpWeight per labelled window.
 * Per-category and per-file figures use the corpus threshold of the profile.
 */
import { NAB_PROFILES, PROFILE_NAMES, type ProfileName } from './profiles.ts';
import {
  bestThreshold, scoreAtThreshold, scoreByThreshold, sweepFile,
  type SweepPoint, type ThresholdScore, type WindowLimits,
} from './sweeper.ts';

/** One detector result file joined with its labels. `name` is "<category>/<file>.csv". */
export interface ScoredFile {
  name: string;
  timestamps: readonly string[];
  anomalyScores: readonly number[];
  windows: readonly WindowLimits[];
}

export interface GroupScore {
  raw: number;
  null: number;
  perfect: number;
  /** 100·(raw−null)/(perfect−null); null when perfect = null (a group without windows). */
  normalised: number | null;
  tp: number;
  fp: number;
  fn: number;
  /** Windows detected / windows scorable. */
  windowsDetected: number;
  windows: number;
}

export interface ProfileResult {
  profile: ProfileName;
  threshold: number;
  corpus: GroupScore;
  categories: Record<string, GroupScore>;
  files: Record<string, GroupScore>;
}

export function categoryOf(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

export function groupScore(points: readonly SweepPoint[], labelledWindows: number, profile: ProfileName, threshold: number): GroupScore {
  const cost = NAB_PROFILES[profile];
  const s: ThresholdScore = scoreAtThreshold(points, cost, threshold);
  const scorable = new Set<string>();
  const detected = new Set<string>();
  for (const p of points) {
    if (p.window === null) continue;
    scorable.add(p.window);
    if (p.anomalyScore >= threshold) detected.add(p.window);
  }
  const nullScore = -cost.fnWeight * scorable.size;
  const perfect = cost.tpWeight * labelledWindows;
  return {
    raw: s.score,
    null: nullScore,
    perfect,
    normalised: perfect === nullScore ? null : (100 * (s.score - nullScore)) / (perfect - nullScore),
    tp: s.tp, fp: s.fp, fn: s.fn,
    windowsDetected: detected.size,
    windows: scorable.size,
  };
}

/** Score a corpus for the given profiles (default: all three). */
export function scoreCorpus(files: readonly ScoredFile[], profiles: readonly ProfileName[] = PROFILE_NAMES): ProfileResult[] {
  const perFile = files.map((f) => ({ f, points: sweepFile(f.timestamps, f.anomalyScores, f.windows, f.name) }));
  const all = perFile.flatMap((x) => x.points);
  const labelled = files.reduce((n, f) => n + f.windows.length, 0);
  return profiles.map((profile) => {
    const best = bestThreshold(scoreByThreshold(all, NAB_PROFILES[profile]));
    const categories: Record<string, GroupScore> = {};
    const byCat = new Map<string, { points: SweepPoint[]; windows: number }>();
    const filesOut: Record<string, GroupScore> = {};
    for (const { f, points } of perFile) {
      filesOut[f.name] = groupScore(points, f.windows.length, profile, best.threshold);
      const c = categoryOf(f.name);
      const g = byCat.get(c) ?? { points: [], windows: 0 };
      g.points.push(...points);
      g.windows += f.windows.length;
      byCat.set(c, g);
    }
    for (const [c, g] of [...byCat.entries()].sort()) categories[c] = groupScore(g.points, g.windows, profile, best.threshold);
    return { profile, threshold: best.threshold, corpus: groupScore(all, labelled, profile, best.threshold), categories, files: filesOut };
  });
}
