/**
 * The dashboard page's security and cache headers: what an SRE expects of an HTML page (a CSP that
 * also pins base-uri/form-action/object-src, frame refusal that old browsers understand,
 * no referrer), and caching that cannot pair a new page with stale scripts after an upgrade: the
 * page names each asset by a hash of its content, a hashed URL is cached for good, anything else
 * is revalidated by ETag (304).
 */
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

test('the dashboard page sends the security headers an HTML page should', async () => {
  const { app } = await build();
  try {
    for (const method of ['GET', 'HEAD'] as const) {
      const r = await app.inject({ method, url: '/' });
      assert.equal(r.statusCode, 200);
      const csp = String(r.headers['content-security-policy']);
      for (const d of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) {
        assert.ok(csp.includes(d), `${method}: CSP has ${d}: ${csp}`);
      }
      assert.ok(!csp.includes('unsafe-inline'), `no inline script runs by default: ${csp}`);
      assert.equal(r.headers['x-frame-options'], 'DENY', 'frame refusal for browsers without CSP frame-ancestors');
      assert.equal(r.headers['referrer-policy'], 'no-referrer', 'the page address (?series=) is not sent elsewhere');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['cache-control'], 'no-cache');
    }
  } finally {
    await app.close();
  }
});

test('the page\'s one inline script (the trailing-slash fix for a path prefix, then the assets) is allowed by its hash alone', async () => {
  const { app } = await build();
  try {
    const r = await app.inject({ url: '/' });
    const inline = [...r.body.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]);
    assert.equal(inline.length, 1, 'one inline script');
    const hash = createHash('sha256').update(inline[0]).digest('base64');
    assert.match(String(r.headers['content-security-policy']), new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}';`));
  } finally {
    await app.close();
  }
});

test('assets are named by content hash: a hashed URL is cached for good, others revalidate with an ETag', async () => {
  const { app } = await build();
  try {
    const page = await app.inject({ url: '/' });
    // Named in the inline script, which adds them (dashboard.ts: no tag the preload scanner could fetch early).
    const refs = [...page.body.matchAll(/"(static\/[^"]+)"/g)].map((m) => m[1]);
    assert.equal(refs.length, 7, `the page's scripts and styles: ${refs.join(' ')}`);
    for (const ref of refs) {
      const [path, v] = ref.split('?v=');
      assert.match(v ?? '', /^[0-9a-f]{16}$/, `${ref} carries its content hash`);
      const hashed = await app.inject({ url: `/${ref}` });
      assert.equal(hashed.statusCode, 200);
      assert.equal(hashed.headers['cache-control'], 'public, max-age=31536000, immutable', ref);
      // Without the hash, or with another one (a pod of the previous release behind the same
      // Service answering a new page's URL), the answer must be revalidated, never kept for good.
      for (const url of [`/${path}`, `/${path}?v=0000000000000000`]) {
        const r = await app.inject({ url });
        assert.equal(r.headers['cache-control'], 'no-cache', url);
        const etag = String(r.headers.etag);
        assert.match(etag, /^W\/"[0-9a-f]{16}"$/);
        const again = await app.inject({ url, headers: { 'if-none-match': etag } });
        assert.equal(again.statusCode, 304, `${url}: unchanged, 304`);
        assert.equal(again.body, '');
      }
    }
    const etag = String(page.headers.etag);
    assert.equal((await app.inject({ url: '/', headers: { 'if-none-match': etag } })).statusCode, 304, 'the page revalidates too');
    assert.equal((await app.inject({ url: '/', headers: { 'if-none-match': 'W/"0000000000000000"' } })).statusCode, 200);
  } finally {
    await app.close();
  }
});
