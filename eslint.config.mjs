// Lint gate of `npm run check`: type-aware rules that catch what reviews miss (floating promises above all).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '**/dist/', 'apps/api/public/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A switch over a union (frame types, error codes, states) names every member, so a new frame,
      // code or state fails the lint wherever it is not handled — even where a `default` exists, so a
      // new member never slips silently into an "everything else" branch.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Nest's Logger writes through a process-wide static that the app created last replaces, so
    // with two apps in one process (the suites, a module's integration test) one app's lines land
    // in the other's log. libs/logging alone adapts pino to Nest's LoggerService.
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['libs/logging/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/common',
              importNames: ['Logger', 'ConsoleLogger'],
              message:
                "Nest's static Logger writes to whichever app was created last in the process. Inject LoggerFactory from @numerai/logging and log through `loggers.forContext('YourContext')` (a helper class takes its owner's ContextLogger).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
