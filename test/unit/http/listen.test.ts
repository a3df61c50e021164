/**
 * Where the HTTP server listens. The default `::` must answer on IPv4 and IPv6 (IPv6-only and
 * dual-stack Kubernetes clusters probe the pod's IPv6 address; 0.0.0.0 never answered there), and
 * a kernel without IPv6 must not stop the service: it falls back to 0.0.0.0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { listenDualStack, type Listener } from '../../../src/adapters/http/listen.ts';
import { loadConfig } from '../../../src/config/load.ts';

function warnings() {
  const lines: Array<{ obj: unknown; msg: string }> = [];
  return { lines, log: { warn: (obj: unknown, msg: string) => void lines.push({ obj, msg }) } as never };
}

/** Fails listen on `::` the way a kernel booted with ipv6.disable=1 does, else delegates. */
function withoutIpv6(real: Listener, code: string): Listener & { hosts: string[] } {
  const hosts: string[] = [];
  return {
    hosts,
    listen(opts) {
      hosts.push(opts.host);
      if (opts.host === '::') return Promise.reject(Object.assign(new Error(`listen ${code} :::${opts.port}`), { code }));
      return real.listen(opts);
    },
  };
}

describe('HTTP listen address', () => {
  it('defaults to :: in the configuration', () => {
    assert.equal(loadConfig({ env: {} }).http.host, '::');
  });

  it(':: answers on 127.0.0.1 and on ::1 (one dual-stack socket)', async (t) => {
    const app = Fastify();
    app.get('/ping', async () => 'pong');
    t.after(() => app.close());
    const w = warnings();
    await listenDualStack(app, '::', 0, w.log);
    const { port } = app.server.address() as { port: number };
    assert.equal((await (await fetch(`http://127.0.0.1:${port}/ping`)).text()), 'pong');
    assert.equal((await (await fetch(`http://[::1]:${port}/ping`)).text()), 'pong');
    assert.deepEqual(w.lines, []);
  });

  for (const code of ['EAFNOSUPPORT', 'EADDRNOTAVAIL']) {
    it(`without IPv6 (${code} on ::) it listens on 0.0.0.0 and says so`, async (t) => {
      const app = Fastify();
      app.get('/ping', async () => 'pong');
      t.after(() => app.close());
      const w = warnings();
      const l = withoutIpv6(app, code);
      const address = await listenDualStack(l, '::', 0, w.log);
      assert.deepEqual(l.hosts, ['::', '0.0.0.0']);
      assert.match(address, /^http:\/\/(0\.0\.0\.0|127\.0\.0\.1):\d+$/);
      const { port } = app.server.address() as { port: number };
      assert.equal((await (await fetch(`http://127.0.0.1:${port}/ping`)).text()), 'pong');
      assert.equal(w.lines.length, 1);
      assert.match(w.lines[0].msg, /IPv6 is not available here: listening on 0\.0\.0\.0/);
    });
  }

  it('only :: failing for want of IPv6 falls back; any other failure is an error, never silently another address', async () => {
    const hosts: string[] = [];
    const failing = (code: string): Listener => ({
      listen: (o) => (hosts.push(o.host), Promise.reject(Object.assign(new Error(`listen ${code}`), { code }))),
    });
    const w = warnings();
    await assert.rejects(listenDualStack(failing('EADDRNOTAVAIL'), '10.255.255.1', 0, w.log), { code: 'EADDRNOTAVAIL' });
    await assert.rejects(listenDualStack(failing('EADDRINUSE'), '::', 0, w.log), { code: 'EADDRINUSE' });
    assert.deepEqual(hosts, ['10.255.255.1', '::'], 'no second try');
    assert.deepEqual(w.lines, []);
  });
});
