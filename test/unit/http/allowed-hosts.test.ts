/**
 * DNS rebinding guard (`http.allowedHosts`, opt-in): with a list, the API answers only requests
 * whose Host is listed, an IP literal or localhost; probes and static files answer any Host.
 * Before, a page on a rebound attacker domain could read the API of a tickcast it reached.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';
import { hostAllowed, hostName } from '../../../src/adapters/http/allowed-hosts.ts';
import { loadConfig } from '../../../src/config/load.ts';

describe('http.allowedHosts', () => {
  it('reads the host name of a Host header (port, IPv6 brackets, case)', () => {
    assert.equal(hostName('Tickcast.Example:8080'), 'tickcast.example');
    assert.equal(hostName('[::1]:8080'), '::1');
    assert.equal(hostName('10.0.0.7'), '10.0.0.7');
    assert.equal(hostName(undefined), '');
  });

  it('an empty list allows every Host; a list allows its names, subdomains of .entries, IPs and localhost', () => {
    assert.ok(hostAllowed([], 'evil.example'));
    const list = ['tickcast.internal', '.corp.example'];
    for (const ok of ['tickcast.internal', 'TICKCAST.internal:8080', 'corp.example', 'a.b.corp.example', '10.1.2.3:8080', '[fd00::1]:8080', 'localhost:8080', 'tickcast.internal.', 'app.localhost:3000', 'a.b.localhost']) assert.ok(hostAllowed(list, ok), ok);
    for (const bad of ['evil.example', 'tickcast.internal.evil.example', 'xcorp.example', 'localhost.evil.example', 'notlocalhost', '', undefined]) assert.ok(!hostAllowed(list, bad), String(bad));
  });

  it('the default config allows any Host; TICKCAST_HTTP_ALLOWED_HOSTS sets the list', () => {
    assert.deepEqual(loadConfig({ env: {} }).http.allowedHosts, []);
    assert.deepEqual(loadConfig({ env: { TICKCAST_HTTP_ALLOWED_HOSTS: 'tickcast.internal,.corp.example' } }).http.allowedHosts, ['tickcast.internal', '.corp.example']);
  });

  it('a request naming another Host gets 403 TC_HTTP_HOST_NOT_ALLOWED; listed names, IPs and the probes answer', async (t) => {
    const { app } = await build({ allowedHosts: ['tickcast.internal'] });
    t.after(() => app.close());
    const get = (url: string, host: string) => app.inject({ method: 'GET', url, headers: { host } });
    const refused = await get('/v1/series', 'rebound.evil.example');
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'TC_HTTP_HOST_NOT_ALLOWED');
    assert.match(refused.json().error.message, /rebound\.evil\.example.*http\.allowedHosts/);
    assert.equal((await get('/v1/series', 'tickcast.internal:8080')).statusCode, 200);
    assert.equal((await get('/v1/series', '127.0.0.1:8080')).statusCode, 200);
    assert.equal((await get('/healthz', 'rebound.evil.example')).statusCode, 200, 'probes answer whatever the Host');
    const open = await build();
    t.after(() => open.app.close());
    assert.equal((await open.app.inject({ method: 'GET', url: '/v1/series', headers: { host: 'rebound.evil.example' } })).statusCode, 200, 'off by default');
  });
});
