/**
 * What is running: the package version (package.json, two levels above this file both in src/ and
 * in the compiled dist/) and the Node.js runtime. Used for the OTel resource (`service.version`)
 * and the `tickcast_build_info` metric.
 */
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  /** e.g. "v24.22.3" */
  nodeVersion: string;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const BUILD_INFO: Readonly<BuildInfo> = Object.freeze({ version: packageVersion(), nodeVersion: process.version });
