/**
 * The install-script policy (`allowScripts` in package.json; docs/deployment.md "Install
 * scripts"): npm 11.19 honours denials and lists every dependency script nobody has reviewed;
 * npm 12 blocks those. Every locked package with an install script must have a decision, and the
 * decisions the images rely on must hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { read } from './repo.ts';

const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
const allow = pkg.allowScripts ?? {};

/** Package names (from their node_modules paths) that the lockfile marks as running install scripts. */
function lockedWithInstallScripts(): string[] {
  const names = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.hasInstallScript === true)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return [...new Set(names)].sort();
}

test('every locked package with an install script has an allowScripts decision', () => {
  const locked = lockedWithInstallScripts();
  assert.ok(locked.includes('onnxruntime-node'), `the lockfile lists install scripts (found ${locked.join(', ')})`);
  const undecided = locked.filter((name) => typeof allow[name] !== 'boolean');
  assert.deepEqual(undecided, [], `add these to package.json allowScripts (true to run, false to skip): ${undecided.join(', ')}`);
});

test('the decisions the install and the images rely on', () => {
  // Builds itself from Debian's librdkafka headers in the root postinstall; its own script downloads from GitHub.
  assert.equal(allow['@confluentinc/kafka-javascript'], false);
  // A CPU install needs nothing the script downloads; the GPU image runs it itself (below).
  assert.equal(allow['onnxruntime-node'], false);
  assert.match(read('.npmrc'), /^onnxruntime-node-install=skip$/m, 'npm before 11.19 still runs it: .npmrc makes it a no-op');
  assert.match(read('Dockerfile'), /AS deps-gpu[\s\S]*?npm ci[\s\S]*?cd node_modules\/onnxruntime-node && node script\/install\.js/);
  // The GPU image and the docs install these with npm install; their scripts fetch libtensorflow.
  assert.equal(allow['@tensorflow/tfjs-node-gpu'], true);
  assert.equal(allow['@tensorflow/tfjs-node'], true);
});
