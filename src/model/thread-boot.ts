/**
 * Starting a `worker_threads` Worker on a module of this package, from source or from dist/.
 * Node 20 workers do not reliably take `--import tsx` from execArgv, so a tiny CommonJS bootstrap
 * (eval'd) registers tsx's ESM loader inside the thread when running from source, then imports the
 * entry. `entry`: the module's URL as `new URL('./x.ts', import.meta.url)` — its `.js` twin is used
 * when this file runs compiled.
 */
import { Worker } from 'node:worker_threads';

const BOOT = `
const { workerData } = require('node:worker_threads');
const load = () => import(workerData.entry);
if (workerData.tsxApi) import(workerData.tsxApi).then((m) => { m.register(); return load(); });
else load();
`;

/** True when running from source (tsx), false from the compiled dist/. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The entry as this build runs it: `.ts` from source, `.js` compiled. */
export function entryUrl(tsEntry: URL): URL {
  return FROM_SOURCE ? tsEntry : new URL(tsEntry.href.replace(/\.ts$/, '.js'));
}

/** A Worker running `entry`; `data` reaches it as `workerData.data`. Output is not piped. */
export function startModuleWorker(entry: URL, data: unknown = null): Worker {
  const tsxApi = FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : null;
  return new Worker(BOOT, { eval: true, workerData: { entry: entryUrl(entry).href, tsxApi, data }, stdout: false, stderr: false });
}
