import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const FRAMEWORK_IMPORTS = [
  {
    group: ['@nestjs/*'],
    message: 'The shared libraries are framework-free: Nest belongs in llm-provider/src/nest.',
  },
  { group: ['typeorm', 'typeorm/*', '@nestjs/typeorm'], message: 'The shared libraries have no database.' },
];

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/coverage', '.nx', '.data', 'bench/results'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          // The web app loads the contracts' password-strength subpath lazily (its dictionaries are
          // large) and the rest of the contracts statically: two entry points, not one lazy library.
          checkDynamicDependenciesExceptions: ['@sluice/contracts'],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api'] },
            { sourceTag: 'scope:llm', onlyDependOnLibsWithTags: ['scope:shared', 'scope:llm'] },
            // The web app ships to browsers: it may import only what is marked universal (the contracts).
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['platform:universal'] },
            {
              sourceTag: 'platform:universal',
              onlyDependOnLibsWithTags: ['platform:universal'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'ollama', 'openai', 'node:*', 'pg'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/llm-provider/src/**/*.ts', 'libs/rate-limit/src/**/*.ts'],
    ignores: ['libs/llm-provider/src/nest/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: FRAMEWORK_IMPORTS }] },
  },
  {
    // A function on the request path reads in one sitting: the servers' and the libraries' own code.
    files: ['apps/api/src/**/*.ts', 'apps/llm/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/testing/**'],
    rules: { 'max-lines-per-function': ['error', { max: 59 }] },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.test.ts',
      '**/*.test.tsx',
      '**/testing/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, objectContaining) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
