/**
 * The test runner's own TICKCAST_* variables (the local broker's, a developer's shell) are not
 * settings of a CLI run under test: the CLI reads the service configuration from the environment
 * as the service does, and an unknown TICKCAST_* variable is an error there. One copy of the two
 * ways the CLI tests keep them out (until 7 Dec 2026 written out in eight places).
 */
import { after, before } from 'node:test';

const isTickcast = (name: string): boolean => name.startsWith('TICKCAST_');

/** A copy of this process's environment without any TICKCAST_* variable, for a spawned CLI. */
export function envWithoutTickcast(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !isTickcast(k)));
}

/**
 * Call at the top of a file or `describe`: its tests run with no TICKCAST_* variable in
 * process.env (for the in-process `runCli`), and afterwards exactly the ones there before are
 * back — one a test set and left behind (`TICKCAST_MODEL_DIR`) is removed.
 */
export function withoutTickcastEnv(): void {
  const saved: Record<string, string> = {};
  before(() => {
    for (const k of Object.keys(process.env)) {
      if (!isTickcast(k)) continue;
      saved[k] = process.env[k]!;
      delete process.env[k];
    }
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (isTickcast(k)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
