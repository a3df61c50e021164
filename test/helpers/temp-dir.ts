/** Temporary directories for tests: one for one test, or one for a whole `describe`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

/** A temporary directory for one test: created, handed to `fn`, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Call in a `describe` (or at the top of a file): a temporary directory made before its tests and
 * removed after them, the set-up each CLI test file wrote out (until 7 Dec 2026). The returned
 * function gives its path, in the tests and hooks that follow.
 */
export function tempDirPerSuite(prefix: string): () => string {
  let dir: string | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error('tempDirPerSuite: the directory is made in before(); read it in a test or a later hook');
    return dir;
  };
}
