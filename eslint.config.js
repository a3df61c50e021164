// Lint: typescript-eslint recommended rules plus the import direction of the architecture
// (see docs/architecture.md): domain imports nothing outside errors; model and adapters never
// import each other; only app.ts wires concrete parts together.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'load/k6/', 'helm/', 'src/adapters/http/dashboard/static/'] },
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
  { files: ['src/model/**/*.ts'], rules: restrict(['**/adapters/**', 'kafkajs', '@confluentinc/*', 'fastify']) },
  { files: ['src/adapters/kafka/**/*.ts'], rules: restrict(['**/model/**', '**/adapters/http/**', 'fastify', '@tensorflow/*', 'kafkajs']) },
  { files: ['src/adapters/http/**/*.ts'], rules: restrict(['**/model/**', '**/adapters/kafka/**', 'kafkajs', '@confluentinc/*', '@tensorflow/*']) },
);
