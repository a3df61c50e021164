/**
 * `tickcast version` (also `tickcast --version`, `-V`): the package version, the Node.js runtime,
 * and the model engine and tfjs backend settings with what is installed for them. Cheap on
 * purpose: it loads neither tfjs nor onnxruntime, so it says what is installed and configured, not
 * which backend would win at start (that needs loading them; the service logs it). An invalid
 * configuration does not stop it: it is reported in place of the settings.
 */
import { createRequire } from 'node:module';
import { loadConfig } from '../config/load.ts';
import { isTickcastError } from '../errors/index.ts';
import { BUILD_INFO } from '../telemetry/build-info.ts';
import { formatHelp, parseOptions, type OptionTable } from './args.ts';
import { writeJson, type CliIo } from './io.ts';

const OPTIONS = {
  json: { type: 'boolean', help: 'print one JSON document instead of text' },
} satisfies OptionTable;

export const VERSION_SUMMARY = 'print the tickcast version, the Node.js version and the model engine/backend settings';

/** Packages the engine and backend choice depends on (none of them is loaded here). */
const PACKAGES = ['onnxruntime-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'] as const;

export interface VersionInfo {
  version: string;
  node: string;
  model: { engine: string; backend: string } | { configError: string };
  installed: Record<string, boolean>;
}

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

export function versionInfo(env: NodeJS.ProcessEnv = process.env): VersionInfo {
  let model: VersionInfo['model'];
  try {
    const config = loadConfig({ env });
    model = { engine: config.model.engine, backend: config.model.backend };
  } catch (err) {
    model = { configError: isTickcastError(err) ? `${err.message} [${err.code}]` : String(err) };
  }
  return { version: BUILD_INFO.version, node: BUILD_INFO.nodeVersion, model, installed: Object.fromEntries(PACKAGES.map((p) => [p, installed(p)])) };
}

export function formatVersion(info: VersionInfo): string {
  const yes = (p: string): string => `${p} ${info.installed[p] ? 'installed' : 'not installed'}`;
  const settings =
    'configError' in info.model
      ? [`model engine/backend: unknown, the configuration is invalid: ${info.model.configError}`]
      : [
          `model engine: ${info.model.engine} (model.engine; ${yes('onnxruntime-node')})`,
          `tfjs backend: ${info.model.backend} (model.backend; ${['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'].map(yes).join(', ')})`,
        ];
  return [`tickcast ${info.version}`, `node ${info.node}`, ...settings, ''].join('\n');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(formatHelp('version', VERSION_SUMMARY, OPTIONS));
    return 0;
  }
  const opts = parseOptions('version', OPTIONS, argv);
  const info = versionInfo();
  if (opts.json) writeJson(io.stdout, info);
  else io.stdout.write(formatVersion(info));
  return 0;
}
