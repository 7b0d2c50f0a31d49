// ESLint flat config: typescript-eslint with type information, so promise mistakes (a runner that spawns
// processes dies of unhandled rejections) are caught by no-floating-promises and no-misused-promises; the Rules
// of Hooks for the editor; and import boundaries that keep the design (docs/ARCHITECTURE.md, STYLE.md) in shape.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const FEATURES_DIR = 'client/src/features';
/** Deepest folder level inside a feature that the boundary rule covers (features are flat today). */
const MAX_FEATURE_DEPTH = 4;

/** The editor's feature folders, read from disk so that a new feature is covered without editing this file. */
function featureNames() {
  try {
    return readdirSync(new URL(`./${FEATURES_DIR}/`, import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Feature folders never import each other (bulletproof-react; app/ composes them). ESLint's own
 * no-restricted-imports sees import strings, not resolved files, and the imports here are all relative, so the
 * patterns are made per feature and per folder depth: from a file `depth` folders below features/, `../` repeated
 * `depth` times reaches features/ itself, so the next segment names a feature; one `../` more reaches src/, where
 * the only way into a feature is through `features/`. Features do not import app/ either (it composes them).
 */
function featureBoundaries() {
  return featureNames().flatMap((feature) =>
    Array.from({ length: MAX_FEATURE_DEPTH }, (_, i) => {
      const depth = i + 1;
      const up = '\\.\\./'.repeat(depth);
      const own = escape(feature);
      return {
        files: [`${FEATURES_DIR}/${feature}/${'*/'.repeat(depth - 1)}*.{ts,tsx}`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^${up}(?!${own}(/|$)|\\.\\.(/|$))[^/]+`,
                  message: `features/${feature} must not import another feature: move shared code to src/lib, or compose in src/app.`,
                },
                {
                  regex: `^${up}(\\.\\./)*(.*/)?features/(?!${own}(/|$))`,
                  message: `features/${feature} must not import another feature: move shared code to src/lib, or compose in src/app.`,
                },
                {
                  regex: `^${up}\\.\\./app(/|$)`,
                  message: `features/${feature} must not import src/app: app composes the features, not the other way round.`,
                },
              ],
            },
          ],
        },
      };
    }),
  );
}

export default tseslint.config(
  {
    // runtimes/ holds sample programs in many languages (conformance tests), not project code.
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      'coverage/**',
      'test-artifacts/**',
      'runtimes/**',
    ],
  },
  js.configs.recommended,
  // The type-checked rule set: unsafe `any` flows, floating and misused promises, template expressions of
  // non-strings, awaits of non-promises, unbound methods.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({
    ...config,
    files: config.files ?? ['**/*.ts', '**/*.tsx'],
  })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
      // Fastify hooks and handlers, and async interface methods (stores, drivers), are async by contract even
      // when a given one has nothing to await; requiring an await there would only add noise.
      '@typescript-eslint/require-await': 'off',
      // Forwarding a rejection we caught (`reject(err)` with `err: unknown`) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read replies as parsed JSON (`res.json().status`): an `any` there is checked by the assertion that
    // uses it, and typing every reply would only restate the schemas. Everything else stays on.
    files: ['**/*.test.ts', '**/*.test.tsx', 'server/test/**/*.ts', 'client/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // The Rules of Hooks and the React Compiler's checks (purity, refs, setState in effects...), for the editor.
    files: ['client/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['client/src/**/*.{ts,tsx}'],
    // A missed dependency is a stale-closure bug, not a style point: fail on it.
    rules: { 'react-hooks/exhaustive-deps': 'error' },
  },
  ...featureBoundaries(),
  {
    // http/ and runs/ reach containers only through the sandbox interface (sandbox/sandbox.ts), never through
    // dockerode or the Docker implementation, so another driver (or a fake in tests) can stand in.
    files: ['server/src/http/**/*.ts', 'server/src/runs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'dockerode', message: 'http/ and runs/ use the sandbox interface, not dockerode.' },
          ],
          patterns: [
            {
              regex: '^dockerode/',
              message: 'http/ and runs/ use the sandbox interface, not dockerode.',
            },
            {
              regex: '(^|/)sandbox/docker-[^/]*$',
              message:
                'http/ and runs/ use the sandbox interface (sandbox/sandbox.ts), not the Docker driver.',
            },
          ],
        },
      ],
    },
  },
);
