import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { httpConfigFromSchema } from '../../../src/adapters/http/config.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { build } from './support/build.ts';

const A = 'key-a-0123456789abcdef';
const B = 'key-b-0123456789abcdef';
const C = 'key-c-0123456789abcdef';

function keysFile(content: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tc-keys-'));
  const file = join(dir, 'api-keys');
  writeFileSync(file, content);
  return { file, write: (s: string) => writeFileSync(file, s), remove: () => rmSync(file, { force: true }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v === undefined ? 0 : Number(v.value);
}

test('a changed keys file applies without a restart: the new key works, the removed one gets 401; a bad file keeps the keys in force', async () => {
  const f = keysFile(`${A}\n`);
  const { app, registry, lines } = await build({ apiKeys: [A], apiKeysFile: f.file, apiKeysReloadMs: 30, requireAuthForReads: true });
  const status = async (key: string) => (await app.inject({ method: 'GET', url: '/v1/series', headers: { authorization: `Bearer ${key}` } })).statusCode;
  try {
    assert.equal(await status(A), 200);
    assert.equal(await status(B), 401);
    assert.equal(await metric(registry, 'tickcast_http_api_keys'), 1);

    f.write(`${B}, ${C}\n`); // rotation: A out, B and C in
    await until('the new keys to apply', async () => (await status(B)) === 200);
    assert.equal(await status(C), 200);
    assert.equal(await status(A), 401, 'a removed key is refused from then on');
    assert.equal(await metric(registry, 'tickcast_http_api_key_reloads_total', { result: 'applied' }), 1);
    assert.equal(await metric(registry, 'tickcast_http_api_keys'), 2);

    f.write('short'); // fails the start-up rules: rejected, B and C stay
    await until('the bad file to be rejected', async () => (await metric(registry, 'tickcast_http_api_key_reloads_total', { result: 'rejected' })) === 1);
    assert.equal(await status(B), 200);
    f.write(''); // empty with requireAuthForReads: nobody could read — rejected too
    await until('the empty file to be rejected', async () => (await metric(registry, 'tickcast_http_api_key_reloads_total', { result: 'rejected' })) === 2);
    f.remove(); // unreadable (a Secret deleted): rejected, logged once
    await until('the missing file to be rejected', async () => (await metric(registry, 'tickcast_http_api_key_reloads_total', { result: 'rejected' })) === 3);
    await new Promise((r) => setTimeout(r, 150)); // several more reads of the same missing file
    assert.equal(await metric(registry, 'tickcast_http_api_key_reloads_total', { result: 'rejected' }), 3, 'each change is counted and logged once');
    assert.equal(await status(C), 200);

    const rejected = lines.filter((l) => l.includes('TC_HTTP_API_KEYS_REJECTED'));
    assert.equal(rejected.length, 3);
    assert.match(rejected[2], /ENOENT/);
    assert.ok(lines.every((l) => !l.includes(A) && !l.includes(B) && !l.includes(C) && !l.includes('"short"')), 'no key is ever logged');
  } finally {
    await app.close();
    f.cleanup();
  }
});

test('a live event stream opened with a key that is removed gets a `revoked` event and ends; other streams go on', async () => {
  const f = keysFile(`${A},${C}`);
  const { app, serving } = await build({ apiKeys: [A, C], apiKeysFile: f.file, apiKeysReloadMs: 30 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const withA = await fetch(`${base}/v1/events`, { headers: { authorization: `Bearer ${A}` } });
    const withC = await fetch(`${base}/v1/events`, { headers: { authorization: `Bearer ${C}` } });
    const open = await fetch(`${base}/v1/events`); // reads are open: no key, nothing to revoke
    assert.deepEqual([withA.status, withC.status, open.status], [200, 200, 200]);
    await until('three subscribers', () => serving.listenerCount === 3);
    f.write(C);
    const text = await withA.text(); // resolves only when the server ends the stream
    assert.match(text, /event: revoked\ndata: \{"reason":"the API key this stream was opened with is no longer accepted"\}/);
    await until('the revoked stream to unsubscribe', () => serving.listenerCount === 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(serving.listenerCount, 2, 'the stream with the kept key and the keyless one stay open');
    await withC.body!.cancel();
    await open.body!.cancel();
  } finally {
    await app.close();
    f.cleanup();
  }
});

test('apiKeysReloadMs 0 reads the keys once: a changed file changes nothing', async () => {
  const f = keysFile(A);
  const { app } = await build({ apiKeys: [A], apiKeysFile: f.file, apiKeysReloadMs: 0, requireAuthForReads: true });
  try {
    f.write(B);
    await new Promise((r) => setTimeout(r, 200));
    const status = async (key: string) => (await app.inject({ method: 'GET', url: '/v1/series', headers: { authorization: `Bearer ${key}` } })).statusCode;
    assert.equal(await status(A), 200);
    assert.equal(await status(B), 401);
  } finally {
    await app.close();
    f.cleanup();
  }
});

test('the keys file is part of the validated config: http.apiKeysFile, set by TICKCAST_HTTP_API_KEYS_FILE, with the reload interval', () => {
  const f = keysFile(`${A},${B}`);
  try {
    const env = { TICKCAST_HTTP_API_KEYS_FILE: f.file };
    const config = loadConfig({ env });
    assert.deepEqual(config.http.apiKeys, [A, B]);
    assert.equal(config.http.apiKeysFile, f.file);
    assert.equal(config.http.apiKeysReloadMs, 30_000);
    assert.equal(httpConfigFromSchema(config.http).apiKeysFile, f.file);
    const none = loadConfig({ env: {} });
    assert.equal(none.http.apiKeysFile, '');
    assert.equal(httpConfigFromSchema(none.http).apiKeysFile, '');
  } finally {
    f.cleanup();
  }
});

test('http.apiKeysFile set in the YAML file: the keys are read from it at load, and a file that cannot be read is a config problem naming the key', () => {
  const f = keysFile(` ${A} , ${B}\n`);
  const yaml = join(f.file, '..', 'tickcast.yaml');
  try {
    writeFileSync(yaml, `http:\n  apiKeysFile: ${f.file}\n  requireAuthForReads: true\n`);
    const config = loadConfig({ env: {}, file: yaml });
    assert.deepEqual(config.http.apiKeys, [A, B]);
    assert.equal(httpConfigFromSchema(config.http).apiKeysFile, f.file);
    writeFileSync(yaml, `http:\n  apiKeysFile: ${f.file}.missing\n`);
    assert.throws(() => loadConfig({ env: {}, file: yaml }), (e: Error & { code?: string }) => e.code === 'TC_CONFIG_INVALID' && /http\.apiKeysFile \(TICKCAST_HTTP_API_KEYS_FILE\): cannot read/.test(e.message));
  } finally {
    f.cleanup();
  }
});
