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
    await assert.rejects(listenDualStack(failing('EADDRNOTAVAIL'), '10.255.255.1', 0, w.log), { code: 'TC_CONFIG_INVALID', details: { errno: 'EADDRNOTAVAIL', problems: ['http.host (TICKCAST_HTTP_HOST): 10.255.255.1 is not an address of this machine (EADDRNOTAVAIL): use one of its addresses, :: (every address) or 127.0.0.1'] } });
    await assert.rejects(listenDualStack(failing('EADDRINUSE'), '::', 0, w.log), { code: 'TC_CONFIG_INVALID', details: { errno: 'EADDRINUSE', problems: ['http.port (TICKCAST_HTTP_PORT): port 0 is already in use on :: (EADDRINUSE): stop what listens there, or choose another port (0: any free port)'] } });
    await assert.rejects(listenDualStack(failing('EMFILE'), '::', 0, w.log), { code: 'EMFILE' }, 'not a configuration problem: passed on');
    assert.deepEqual(hosts, ['10.255.255.1', '::', '::'], 'no second try');
    assert.deepEqual(w.lines, []);
  });

  // Until 6 Dec 2026: "tickcast: failed to start: Error: listen EADDRINUSE: address already in use
  // :::8080" and a stack trace, exit 1 — the slip of running two services on one machine.
  it('a port already in use is a configuration problem naming http.port and its variable (main.ts: exit 78)', async (t) => {
    const first = Fastify();
    t.after(() => first.close());
    await first.listen({ host: '127.0.0.1', port: 0 });
    const { port } = first.server.address() as { port: number };
    const second = Fastify();
    t.after(() => second.close());
    await assert.rejects(listenDualStack(second, '127.0.0.1', port, warnings().log), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'TC_CONFIG_INVALID');
      assert.equal(err.message, `invalid configuration:\n  - http.port (TICKCAST_HTTP_PORT): port ${port} is already in use on 127.0.0.1 (EADDRINUSE): stop what listens there, or choose another port (0: any free port)`);
      return true;
    });
  });
});
