/**
 * NAB application profiles (numenta/NAB config/profiles.json, v1.x). Weights are magnitudes:
 * a true positive adds up to `tpWeight`, a false negative subtracts `fnWeight`, a false positive
 * subtracts up to `fpWeight` (scaled by the sigmoid of its distance past the preceding window).
 * `tnWeight` is listed for completeness; NAB never uses it.
 */
export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
  tnWeight: number;
}

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const NAB_PROFILES: Readonly<Record<ProfileName, Readonly<CostMatrix>>> = Object.freeze({
  standard: Object.freeze({ tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11, tnWeight: 1.0 }),
  reward_low_FP_rate: Object.freeze({ tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22, tnWeight: 1.0 }),
  reward_low_FN_rate: Object.freeze({ tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11, tnWeight: 1.0 }),
});

export const PROFILE_NAMES: readonly ProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];
