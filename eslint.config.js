// Lint: typescript-eslint strict-type-checked, plus the import direction ARCHITECTURE holds (cores import no edge, driver or framework).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const outerFolders = ['http', 'cli', 'gateway', 'storage', 'alerts', 'reports', 'web', 'witness'];
const coreForbidden = {
  patterns: [
    {
      group: outerFolders.flatMap((folder) => [`**/${folder}/**`, `../${folder}/*`, `../../${folder}/*`]),
      message: 'Cores (ledger/, access/, identity/, events/) never import an outer folder: declare a port instead.',
    },
    {
      group: ['**/app.ts', '**/app', '**/main.ts'],
      message: 'Only the composition root wires concrete parts together.',
    },
  ],
  paths: ['fastify', 'pg', 'better-sqlite3', 'kysely', 'pino', 'commander', '@electric-sql/pglite', '@electric-sql/pglite-socket'].map(
    (name) => ({ name, message: 'Cores never import a framework or a driver.' }),
  ),
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.writ/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['scripts/*.mjs', 'bin/*.js', 'eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['src/ledger/**', 'src/events/**', 'src/access/**', 'src/identity/**'],
    rules: { 'no-restricted-imports': ['error', coreForbidden] },
  },
  {
    // The dashboard runs in a browser and talks to Writ only over HTTP: its types come from the OpenAPI document.
    files: ['web/src/**'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly', fetch: 'readonly', EventSource: 'readonly', URLSearchParams: 'readonly' },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**', '../../src/*', '../../../src/*', '**/bin/**', '**/scripts/**'], message: 'The dashboard talks to Writ only over HTTP: use web/src/api (types from npm run gen:api).' }] },
      ],
    },
  },
  {
    files: ['scripts/*.mjs', 'bin/*.js', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
