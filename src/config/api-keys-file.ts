/**
 * `http.apiKeysFile`: the file the API keys are read from (a mounted Kubernetes Secret), read
 * again while running (src/adapters/http/api-key-reload.ts). Its variable is
 * TICKCAST_HTTP_API_KEYS_FILE, which is also `http.apiKeys`' `_FILE` twin: set there, the loader
 * has already read the keys from it. Set in the YAML file (or overrides), the keys are read here,
 * at load, so the service starts with them and a file it cannot read is a configuration problem.
 */
import { readFileSync } from 'node:fs';
import { envName } from './env-name.ts';
import { fileErrorReason } from '../domain/file-error-reason.ts';

/** Put the keys held by `input.http.apiKeysFile` into `input.http.apiKeys` (the file takes its place), unless the variable already did. */
export function readApiKeysFile(input: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: string[], parseList: (s: string) => string[]): void {
  const http = input.http as Record<string, unknown> | undefined;
  const file = http?.apiKeysFile;
  if (typeof file !== 'string' || file === '') return;
  const name = envName('http.apiKeysFile');
  if (env[name] === file) return;
  try {
    http!.apiKeys = parseList(readFileSync(file, 'utf8').trim());
  } catch (err) {
    problems.push(`http.apiKeysFile (${name}): cannot read ${JSON.stringify(file)} (${fileErrorReason(err)})`);
  }
}
