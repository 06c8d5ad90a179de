// @ts-check
import eslint from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TYPEORM_IMPORTS = ['typeorm', '@nestjs/typeorm'].map((name) => ({
  name,
  message: 'Only repositories, entities and schema files use TypeORM.',
}));

export default defineConfig(
  { ignores: ['dist/**', 'coverage/**', 'data/**', 'node_modules/**'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  prettierRecommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bench/*.js', 'test/setup/*.js', 'scripts/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      curly: 'error',
      eqeqeq: 'error',
      'object-shorthand': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // TypeORM belongs to the persistence layer: repositories, explicit read models, entities, migrations, the
    // database module and the module files that register entities (TypeOrmModule.forFeature).
    files: ['src/**/*.ts'],
    ignores: [
      'src/**/*.repository.ts',
      'src/**/*.read-model.ts',
      'src/**/*.entity.ts',
      'src/**/*.module.ts',
      'src/**/migrations/**',
      'src/database/**',
      'src/**/*.spec.ts',
      'src/**/*.int-spec.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: TYPEORM_IMPORTS,
        },
      ],
    },
  },
  {
    files: ['src/**/*.service.ts', 'src/**/*.controller.ts'],
    ignores: ['src/database/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...TYPEORM_IMPORTS,
            { name: 'fastify', message: 'Only controllers and HTTP plumbing know the HTTP server.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/**/*.spec.ts', 'src/**/*.int-spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read config through AppConfig.' },
      ],
    },
  },
  {
    // Extensions see the hub only through its public entry, so the example proves that entry is enough.
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)src/(?!public-api\\.js$)',
              message: 'Extensions import the hub only from src/public-api.js.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: [
      'test/**/*.ts',
      'src/**/*.spec.ts',
      'src/**/*.int-spec.ts',
      'examples/**/*.spec.ts',
      'examples/**/*.e2e-spec.ts',
    ],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
