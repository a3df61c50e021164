// Lint: typescript-eslint recommended rules plus the import direction of the architecture
// (docs/architecture.md § Layers and import direction: one `layer(…)` below per row of its table):
// domain imports nothing outside errors; model and adapters never import each other; only the
// composition roots (app*.ts, and cli/ for offline commands) wire concrete parts together.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { LONG_FILES, LONG_FUNCTIONS, MAX_FILE_LINES, MAX_FUNCTION_LINES } from './lint-limits.js';

const restrict = (group) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message: 'this layer may not import it: docs/architecture.md § Layers and import direction (eslint.config.js)' }] }],
});

// The folders of src/ an import direction is stated for, as import-path patterns.
const FOLDERS = {
  errors: '**/errors/**',
  lifecycle: '**/lifecycle/**',
  waits: '**/waits/**',
  durable: '**/durable/**',
  domain: '**/domain/**',
  config: '**/config/**',
  data: '**/data/**',
  pipeline: '**/pipeline/**',
  model: '**/model/**',
  eval: '**/eval/**',
  telemetry: '**/telemetry/**',
  adapters: '**/adapters/**',
  cli: '**/cli/**',
  app: '**/app*.ts',
};
// Packages that only one folder may import (the style guide's "the only folder that imports …").
const PACKAGES = {
  model: ['@tensorflow/*', 'onnxruntime-*'],
  kafka: ['@confluentinc/*'],
  http: ['fastify', '@fastify/*', '@modelcontextprotocol/*'],
};
// kafkajs is not used (the Kafka client is @confluentinc/kafka-javascript): refused everywhere.
const FOREIGN_PACKAGES = (...own) => Object.entries(PACKAGES).flatMap(([k, v]) => (own.includes(k) ? [] : v)).concat('kafkajs');

const ADAPTERS = ['kafka', 'http', 'embedded', 'file'];

/**
 * One rule per layer: every folder not in `may` is refused; `only` narrows an allowed folder to
 * the files its patterns name (PORTS: pipeline/ports.ts and nothing else of pipeline/). `deny`
 * adds patterns (an adapter's siblings, which it reaches as `../kafka/…`).
 */
const layer = (files, may, { only = {}, deny = [], packages = [] } = {}) => ({
  files,
  rules: restrict([
    ...Object.entries(FOLDERS).flatMap(([name, pattern]) => (!may.includes(name) ? [pattern] : only[name] ? [pattern, ...only[name].map((f) => `!${f}`)] : [])),
    ...deny,
    ...packages,
  ]),
});
const PORTS = { pipeline: ['**/pipeline/ports.ts'] };
const fileLines = (max) => ['error', { max, skipBlankLines: false, skipComments: false }];
const functionLines = (max) => ['error', { max, skipBlankLines: true, skipComments: true, IIFEs: true }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'tmp/', 'load/k6/', 'helm/', 'src/adapters/http/dashboard/static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  layer(['src/errors/**/*.ts'], ['errors'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/lifecycle/**/*.ts'], ['lifecycle'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/waits/**/*.ts'], ['waits'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/durable/**/*.ts'], ['durable'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/domain/**/*.ts'], ['domain', 'errors'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/config/**/*.ts'], ['config', 'domain', 'errors'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/data/**/*.ts'], ['data', 'domain', 'errors'], { packages: FOREIGN_PACKAGES() }),
  layer(['src/pipeline/**/*.ts'], ['pipeline', 'domain', 'errors', 'lifecycle', 'durable', 'waits'], { packages: FOREIGN_PACKAGES() }),
  // model/ sees the pipeline only through its ports (src/pipeline/ports.ts).
  layer(['src/model/**/*.ts'], ['model', 'domain', 'errors', 'lifecycle', 'durable', 'data', 'config', 'pipeline', 'telemetry'], { only: PORTS, packages: FOREIGN_PACKAGES('model') }),
  // eval/ takes one thing from model/: the seeded generator (NAB runs reproduce the service's draws).
  layer(['src/eval/**/*.ts'], ['eval', 'domain', 'errors', 'data', 'pipeline', 'model'], { only: { ...PORTS, model: ['**/model/random.ts'] }, packages: FOREIGN_PACKAGES() }),
  layer(['src/telemetry/**/*.ts'], ['telemetry', 'domain', 'pipeline'], { only: PORTS, packages: FOREIGN_PACKAGES() }),
  // Each adapter: the pipeline's ports, never the model, another adapter or a composition root.
  ...ADAPTERS.map((name) =>
    layer([`src/adapters/${name}/**/*.ts`], ['pipeline', 'domain', 'errors', 'lifecycle', 'waits', 'durable', 'telemetry', 'config', 'data'], {
      only: PORTS,
      deny: ADAPTERS.filter((a) => a !== name).map((a) => `**/${a}/**`),
      packages: FOREIGN_PACKAGES(name),
    }),
  ),
  // cli/: offline commands, a composition root of their own (detect builds the service's pipeline parts through app-parts.ts).
  layer(['src/cli/**/*.ts'], ['cli', 'errors', 'lifecycle', 'domain', 'config', 'data', 'pipeline', 'model', 'eval', 'telemetry', 'app'], { only: { app: ['**/app-parts.ts'] }, packages: FOREIGN_PACKAGES() }),
  layer(['src/main.ts'], ['app', 'config', 'errors', 'telemetry', 'waits'], { packages: FOREIGN_PACKAGES() }),
  // Size limits (lint-limits.js holds the numbers and the short list of justified exceptions).
  { files: ['src/**/*.ts'], rules: { 'max-lines': fileLines(MAX_FILE_LINES), 'max-lines-per-function': functionLines(MAX_FUNCTION_LINES) } },
  ...LONG_FILES.map((e) => ({ files: [e.file], rules: { 'max-lines': fileLines(e.max) } })),
  ...LONG_FUNCTIONS.map((e) => ({ files: [e.file], rules: { 'max-lines-per-function': functionLines(e.max) } })),
);
