/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/consumer/app is a user's app, run against the packed tarball by `npm run test:consumer`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
  // Transpile only (no type-check) for speed; `npm test` runs `tsc --noEmit` first.
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  globalTeardown: '<rootDir>/test/helpers/teardown.js',
  snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  testTimeout: 60000,
  // Every core: jest's default is one worker fewer than the cores, which is one worker on a
  // two-core machine (CI's kind). The reference app's tests share one build of it in one
  // file (test/reference-app.test.ts), so the files are independent.
  maxWorkers: '100%',
  testSequencer: '<rootDir>/test/helpers/sequencer.js',
};
