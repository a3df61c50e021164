/**
 * load/k6 scripts cannot run here (no k6 binary): check that they parse as ES modules, import
 * only k6 modules, and that the Kafka ingest scenario sends records the service's codec accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeTick } from '../../../src/domain/tick-codec.ts';
import { ROOT, listFiles, read } from './repo.ts';

test('every k6 script parses and imports only k6 modules', () => {
  const scripts = listFiles('load/k6', (n) => n.endsWith('.js'));
  assert.ok(scripts.includes('load/k6/kafka-ingest.js'));
  for (const rel of scripts) {
    const r = spawnSync(process.execPath, ['--check', join(ROOT, rel)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${rel}: ${r.stderr}`);
    for (const m of read(rel).matchAll(/^import .* from '([^']+)';/gm)) {
      assert.ok(/^(k6(\/.*)?|https:\/\/jslib\.k6\.io\/.*|\.\/.*)$/.test(m[1]), `${rel}: ${m[1]} is not available in k6`);
    }
  }
});

test('kafka-ingest.js record shapes decode as valid ticks with the default codec settings', () => {
  const src = read('load/k6/kafka-ingest.js');
  // The two valid shapes the script builds (univariate and named feature).
  assert.match(src, /\{ series: id, ts: tsMs, value \}/);
  assert.match(src, /\{ series: id, ts: tsMs, values: \{ \[FEATURE\]: value \} \}/);
  const opts = { features: ['value'], maxRecordBytes: 64 * 1024, seriesPattern: /^[A-Za-z0-9._:/@-]{1,128}$/, missingFeature: 'reject' as const };
  const ts = Date.now();
  const good = decodeTick(Buffer.from('series-7'), Buffer.from(JSON.stringify({ series: 'series-7', ts, value: 101.5 })), opts);
  assert.ok(good.ok);
  assert.equal(good.ok && good.tick.tsMs, ts);
  const named = decodeTick(null, Buffer.from(JSON.stringify({ series: 'series-7', ts, values: { value: 3 } })), opts);
  assert.ok(named.ok);
  // The injected invalid records must be dead-lettered, not accepted.
  for (const bad of [{ series: 's', ts: 'yesterday', value: 1 }, { series: 's', ts, value: 'NaN' }, { ts }]) {
    const r = decodeTick(Buffer.from('s'), Buffer.from(JSON.stringify(bad)), opts);
    assert.equal(r.ok, false, JSON.stringify(bad));
  }
  assert.match(src, /ts: 'yesterday'/);
  assert.match(src, /value: 'NaN'/);
});
