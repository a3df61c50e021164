import { build } from './test/unit/http/support/build.ts';
const { app } = await build();
const base = await app.listen({ host: '127.0.0.1', port: 0 });
for (let i = 0; i < 25; i++) { const r = await fetch(base + '/v1/events', { method: 'HEAD' }); if (i % 5 === 0 || r.status !== 200) console.log(i, r.status); }
const ac = new AbortController(); setTimeout(() => ac.abort(), 1500);
try { const r = await fetch(base + '/v1/events', { signal: ac.signal }); console.log('GET', r.status, r.status !== 200 ? await r.text() : ''); ac.abort(); } catch (e) { console.log('GET err', (e as Error).name); }
const m = await (await fetch(base + '/metrics')).text(); console.log(m.split('\n').filter((l) => /sse|events|stream/.test(l) && !l.startsWith('#')).join('\n'));
await app.close();
