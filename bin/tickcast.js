#!/usr/bin/env node
// CLI entry. Runs the compiled JavaScript (dist/cli/main.js, `npm run build`) when it is present
// and up to date; otherwise (a checkout where sources changed since the last build) runs the
// TypeScript sources through tsx's ESM loader, so the CLI never runs stale code.
import { distState } from './dist-state.js';

if (distState() === 'fresh') {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
