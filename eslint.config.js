// Lint: typescript-eslint recommended rules plus the import direction of the architecture
// (see docs/architecture.md): domain imports nothing outside errors; model and adapters never
// import each other; only app.ts wires concrete parts together.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { LONG_FILES, LONG_FUNCTIONS, MAX_FILE_LINES, MAX_FUNCTION_LINES } from './lint-limits.js';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
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
  { files: ['src/domain/**/*.ts'], rules: restrict(['**/pipeline/**', '**/model/**', '**/adapters/**', '**/telemetry/**', '**/config/**', 'kafkajs', '@confluentinc/*', 'fastify', '@tensorflow/*', 'onnxruntime-node']) },
  { files: ['src/pipeline/**/*.ts'], rules: restrict(['**/model/**', '**/adapters/**', 'kafkajs', '@confluentinc/*', 'fastify', '@tensorflow/*', 'onnxruntime-node']) },
  // model/ sees the pipeline only through its ports (src/pipeline/ports.ts).
  { files: ['src/model/**/*.ts'], rules: restrict(['**/adapters/**', '**/pipeline/*', '!**/pipeline/ports.ts', 'kafkajs', '@confluentinc/*', 'fastify']) },
  { files: ['src/adapters/kafka/**/*.ts'], rules: restrict(['**/model/**', '**/adapters/http/**', 'fastify', '@tensorflow/*', 'kafkajs']) },
  { files: ['src/adapters/http/**/*.ts'], rules: restrict(['**/model/**', '**/adapters/kafka/**', 'kafkajs', '@confluentinc/*', '@tensorflow/*']) },
  // Size limits (lint-limits.js holds the numbers and the short list of justified exceptions).
  { files: ['src/**/*.ts'], rules: { 'max-lines': fileLines(MAX_FILE_LINES), 'max-lines-per-function': functionLines(MAX_FUNCTION_LINES) } },
  ...LONG_FILES.map((e) => ({ files: [e.file], rules: { 'max-lines': fileLines(e.max) } })),
  ...LONG_FUNCTIONS.map((e) => ({ files: [e.file], rules: { 'max-lines-per-function': functionLines(e.max) } })),
);
