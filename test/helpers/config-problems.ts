import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';

/** The problem lines of a refused config (TC_CONFIG_INVALID, which main.ts exits 78 on); fails the test when it is accepted. */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    const e = err as { code: string; details: { problems: string[] } };
    assert.equal(e.code, 'TC_CONFIG_INVALID');
    return e.details.problems;
  }
  return assert.fail('the config was accepted');
}
