import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench-results/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // One contract: client and server share core/, never each other; core/ knows neither.
  {
    files: ['client/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**'], message: 'The client imports shared code from core/, never from server/.' }] }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/client/**'], message: 'The server imports shared code from core/, never from client/.' }] }] },
  },
  // Cells are the base of the domain: modules filed in cells (units, reports) register with it, never the reverse.
  {
    files: ['server/cells/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/client/**'], message: 'The server imports shared code from core/, never from client/.' },
      { group: ['**/reports/**', '**/units/**', '**/patrols/**', '**/people/**'], message: 'cells imports no module filed in cells: they register with it (refileOnCellChange).' },
    ] }] },
  },
  {
    files: ['core/**/*.ts'],
    // Tests run in Node only and ship in no bundle: they may read their fixture files.
    ignores: ['core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/server/**', '**/client/**'], message: 'core/ is shared by client and server and imports neither.' },
        { group: ['node:*', 'fs', 'path', 'react', 'react-dom', 'maplibre-gl'], message: 'core/ is isomorphic: no Node or DOM imports.' },
      ] }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
