// Native ESM jest (Nest 12 is ESM-only; see shared/reference/toolchain-notes.md).
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['reflect-metadata'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    '^.+\\.js$': ['ts-jest', { useESM: true, tsconfig: { allowJs: true } }],
  },
  // CommonJS packages that require() these ESM-only ones need them transformed (toolchain trap T2).
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|@apidevtools/json-schema-ref-parser)/)'],
};

export default {
  workerIdleMemoryLimit: '512MB',
  // Integration and e2e files boot the hub on a fresh database; a hook may take seconds on a busy machine.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/examples/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/examples/**/*.e2e-spec.ts'],
      // Every response the suites receive is checked against the OpenAPI document (test/setup/*contract*).
      setupFilesAfterEnv: ['<rootDir>/test/setup/response-contract.setup.ts'],
      globalSetup: '<rootDir>/test/setup/contract-global-setup.js',
      globalTeardown: '<rootDir>/test/setup/contract-global-teardown.js',
    },
    // Needs Chromium at /usr/bin/chromium (scripts/ensure-chromium.sh); not part of `npm test`.
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
    },
  ],
};
