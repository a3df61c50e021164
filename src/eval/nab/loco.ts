/**
 * Leave-one-category-out (LOCO) selection: an honest estimate of how a tuned choice carries to a
 * category it was not chosen on. For each category c, the candidate (a parameter set) and the
 * profile's threshold are both chosen on the OTHER categories (the candidate by the standard
 * profile, the threshold per profile, as NAB does), then c is scored with them. The pooled
 * figure sums the held-out raw scores of all categories and normalises them like a corpus.
 */
import { categoryOf, groupScore, type GroupScore, type ScoredFile } from './corpus.ts';
import { NAB_PROFILES, PROFILE_NAMES, type ProfileName } from './profiles.ts';
import { bestThreshold, scoreByThreshold, sweepFile, type SweepPoint } from './sweeper.ts';

export interface Candidate {
  label: string;
  /** The same files (names, windows) for every candidate; only the scores differ. */
  files: readonly ScoredFile[];
}

export interface HeldOut {
  category: string;
  /** Candidate chosen on the other categories. */
  chosen: string;
  threshold: number;
  score: GroupScore;
}

export interface LocoResult {
  profile: ProfileName;
  heldOut: HeldOut[];
  /** 100·(Σraw − Σnull)/(Σperfect − Σnull) over the held-out categories. */
  pooled: number;
}

interface Prepared {
  label: string;
  byCat: Map<string, { points: SweepPoint[]; windows: number }>;
}

function prepare(c: Candidate): Prepared {
  const byCat = new Map<string, { points: SweepPoint[]; windows: number }>();
  for (const f of c.files) {
    const g = byCat.get(categoryOf(f.name)) ?? { points: [], windows: 0 };
    for (const p of sweepFile(f.timestamps, f.anomalyScores, f.windows, f.name)) g.points.push(p);
    g.windows += f.windows.length;
    byCat.set(categoryOf(f.name), g);
  }
  return { label: c.label, byCat };
}

function trainOn(p: Prepared, heldOut: string, profile: ProfileName): { threshold: number; normalised: number } {
  const points: SweepPoint[] = [];
  let windows = 0;
  for (const [cat, g] of p.byCat) {
    if (cat === heldOut) continue;
    for (const x of g.points) points.push(x);
    windows += g.windows;
  }
  const best = bestThreshold(scoreByThreshold(points, NAB_PROFILES[profile]));
  const s = groupScore(points, windows, profile, best.threshold);
  return { threshold: best.threshold, normalised: s.normalised ?? 0 };
}

/** LOCO over the categories of the candidates' files, for each profile. */
export function leaveOneCategoryOut(candidates: readonly Candidate[], profiles: readonly ProfileName[] = PROFILE_NAMES): LocoResult[] {
  const prepared = candidates.map(prepare);
  const cats = [...prepared[0].byCat.keys()].sort();
  // Candidate per held-out category, by the standard profile on the others; ties: the earlier one.
  const chosen = new Map<string, Prepared>();
  for (const c of cats) {
    let best = prepared[0];
    let bestScore = -Infinity;
    for (const p of prepared) {
      const t = trainOn(p, c, 'standard');
      if (t.normalised > bestScore) { bestScore = t.normalised; best = p; }
    }
    chosen.set(c, best);
  }
  return profiles.map((profile) => {
    const heldOut: HeldOut[] = [];
    let raw = 0, nul = 0, perfect = 0;
    for (const c of cats) {
      const best = chosen.get(c)!;
      const { threshold } = trainOn(best, c, profile);
      const g = best.byCat.get(c)!;
      const score = groupScore(g.points, g.windows, profile, threshold);
      raw += score.raw; nul += score.null; perfect += score.perfect;
      heldOut.push({ category: c, chosen: best.label, threshold, score });
    }
    return { profile, heldOut, pooled: perfect === nul ? 0 : (100 * (raw - nul)) / (perfect - nul) };
  });
}
