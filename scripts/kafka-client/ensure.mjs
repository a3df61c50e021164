#!/usr/bin/env node
/**
 * Root `postinstall`: makes sure the Kafka client's native addon is there (docs/kafka-client.md).
 *
 * @confluentinc/kafka-javascript is an optional dependency whose own install script is denied in
 * package.json (`allowScripts`, npm >= 11.19): that script downloads a prebuilt binary from GitHub
 * and otherwise builds librdkafka from downloaded sources, neither of which works offline. Older
 * npm runs it anyway; when it fails npm drops the optional package, and this script puts it back
 * (`npm install --no-save --ignore-scripts`, the version pinned in package-lock.json). Then
 * scripts/kafka-client/build.sh installs the addon from the cache or builds it once.
 *
 * A failure is a warning (embedded mode needs no Kafka client), except under CI=true where it
 * fails the install. TICKCAST_SKIP_KAFKA_CLIENT=1 skips all of this.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = '@confluentinc/kafka-javascript';
const pkgDir = join(root, 'node_modules', NAME);
const strict = /^(1|true)$/i.test(process.env.CI ?? '');

function fail(msg) {
  console.error(`kafka-client: ${strict ? 'ERROR' : 'WARNING'}: ${msg}`);
  console.error('kafka-client: the service cannot use Kafka until this is fixed (embedded mode still works); retry with: npm run kafka:client');
  process.exit(strict ? 1 : 0);
}

if (process.env.TICKCAST_SKIP_KAFKA_CLIENT === '1' || process.env.TICKCAST_KAFKA_CLIENT_NESTED === '1') process.exit(0);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.optionalDependencies?.[NAME] ?? pkg.dependencies?.[NAME];
if (!version) fail(`${NAME} is not in package.json`);

if (!existsSync(join(pkgDir, 'package.json'))) {
  const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('optional');
  if (omitted) {
    console.error(`kafka-client: optional dependencies omitted; not installing ${NAME}`);
    process.exit(0);
  }
  console.error(`kafka-client: ${NAME} is missing (its install script failed or was skipped); installing ${version} without scripts`);
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const r = spawnSync(npm[0], [...npm[1], 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${NAME}@${version}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TICKCAST_KAFKA_CLIENT_NESTED: '1' },
  });
  if (r.status !== 0 || !existsSync(join(pkgDir, 'package.json'))) fail(`npm could not install ${NAME}@${version}`);
}

const r = spawnSync('bash', [join(root, 'scripts/kafka-client/build.sh'), pkgDir], { stdio: 'inherit' });
if (r.status !== 0) fail(`building the native addon of ${NAME} failed (see above)`);
