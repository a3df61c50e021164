import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { runTickcast } from '../../helpers/cli-process.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;

describe('tickcast --version', () => {
  it('--version, -V and version print the package and Node versions and the engine/backend settings; exit 0', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const io = captureIo();
      assert.equal(await runCli([flag], io), 0, io.err());
      assert.equal(io.err(), '');
      const lines = io.out().split('\n');
      assert.equal(lines[0], `tickcast ${pkg.version}`, flag);
      assert.equal(lines[1], `node ${process.version}`, flag);
      assert.match(io.out(), /^model engine: (auto|onnx|tfjs) \(model\.engine; onnxruntime-node (not )?installed\)$/m, flag);
      assert.match(io.out(), /^tfjs backend: \S+ \(model\.backend; @tensorflow\/tfjs-node-gpu (not )?installed, @tensorflow\/tfjs-node (not )?installed, @tensorflow\/tfjs-backend-wasm installed\)$/m, flag);
    }
  });

  it('version --json prints one JSON document; --help lists the command', async () => {
    const io = captureIo();
    assert.equal(await runCli(['version', '--json'], io), 0);
    const info = JSON.parse(io.out());
    assert.equal(info.node, process.version);
    assert.equal(typeof info.version, 'string');
    assert.equal(info.installed['@tensorflow/tfjs-backend-wasm'], true);
    const help = captureIo();
    assert.equal(await runCli(['--help'], help), 0);
    assert.match(help.out(), /version\s+print the tickcast and Node\.js versions .*--version, -V/);
  });

  it('bin/tickcast.js --version as a process: exit 0 even with an invalid configuration, which it reports', async () => {
    const ok = await runTickcast(['--version'], { env: process.env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^tickcast \d+\.\d+\.\d+/);
    const bad = await runTickcast(['-V'], { env: { ...process.env, TICKCAST_MODEL_ENGINE: 'gpu-please' } });
    assert.equal(bad.code, 0, bad.stderr);
    assert.match(bad.stdout, /^tickcast \d+\.\d+\.\d+\nnode v/);
    assert.match(bad.stdout, /model engine\/backend: unknown, the configuration is invalid: .*model\.engine.*\[TC_CONFIG_INVALID\]/s);
  });
});
