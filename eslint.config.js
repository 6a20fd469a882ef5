// @ts-check
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Lint for bugs, not looks: Prettier owns layout, so no stylistic rules here. The rules that matter
 * most in a server that does everything asynchronously are type-aware: a promise nobody awaits
 * (lost errors, work that outlives its transaction), a promise passed where a callback's result is
 * ignored, an `await` on something that is not a promise, and a `switch` over a union that forgot a
 * member when the union grew.
 */
export default defineConfig(
  globalIgnores(['node_modules/', '.atelier/', 'bench/results/', 'dist/', 'coverage/']),
  tseslint.configs.eslintRecommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // One TypeScript program per tsconfig.json, found per file; the few JS files fall back to a
        // default project so they can be linted without joining the TypeScript build.
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's `test()`/`describe()` return promises the runner itself awaits and reports.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        // A `default:` branch is an explicit decision to handle the rest; a missing case without one is the bug.
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // `res.json() as Body` in inject tests is flagged as "could be a type argument": taste, not a bug.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Fastify handlers and interface implementations are `async` by contract even when they do not await.
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A few core rules that catch bugs TypeScript lets through.
      'no-debugger': 'error',
      'no-cond-assign': 'error',
      'no-constant-binary-expression': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
      'no-dupe-else-if': 'error',
      'no-unreachable-loop': 'error',
      'no-async-promise-executor': 'error',
      'no-console': 'off',
    },
  },
  {
    // Plain JavaScript (this file, bin/atelier.js): no type information to lean on.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Rendered Kubernetes manifests are untyped YAML: these tests check them against the API's
    // schemas first and then walk them as data, so `any` is their honest type.
    files: ['test/deploy/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
