// The YAML file named by TICKCAST_CONFIG_FILE, read for src/config/load.ts.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fileErrorReason } from '../domain/file-error-reason.ts';

/**
 * The YAML file's sections; a problem names the variable and the path: `TICKCAST_CONFIG_FILE: cannot
 * read "/etc/tickcast.yaml" (no such file)` (until 6 Dec 2026 Node's bare `ENOENT: …, open '…'`).
 */
export function readConfigFile(file: string, label: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${label}: cannot read ${JSON.stringify(file)} (${fileErrorReason(err)})`);
    return {};
  }
  try {
    const parsed: unknown = parseYaml(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    if (parsed !== null) problems.push(`${label} ${JSON.stringify(file)}: the top level must be a mapping of sections (e.g. "batching: { maxBatchSize: 128 }")`);
  } catch (err) {
    problems.push(`${label} ${JSON.stringify(file)}: not valid YAML: ${(err as Error).message.split('\n')[0].replace(/:$/, '')}`);
  }
  return {};
}
