/** The TICKCAST_* environment names the config loader accepts (it rejects any other). */
import { configKeys } from '../../../src/config/load.ts';

export function knownTickcastEnv(): Set<string> {
  const names = new Set<string>(['TICKCAST_CONFIG_FILE']);
  for (const { env } of configKeys()) {
    names.add(env);
    names.add(`${env}_FILE`);
  }
  return names;
}

/** TICKCAST_* names in a text that the loader would refuse. */
export function unknownTickcastEnv(text: string, known = knownTickcastEnv()): string[] {
  return [...new Set([...text.matchAll(/\b(TICKCAST_[A-Z0-9_]+)/g)].map((m) => m[1]))].filter((n) => !known.has(n)).sort();
}
