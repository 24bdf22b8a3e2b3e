/**
 * `npm run test:fast`: the unit suites and the in-process end-to-end suites — what a change to
 * one module should pass before the full `npm test`. Left to the full run: suites that spawn the
 * built server or several instances (scale-out, process lifecycle, startup, ops CLI, the push
 * cluster), the browser, the hostile/reliability suites, and the slow ones against the real server (React hooks; the SDK's
 * reconnects, restarts and token expiries — its protocol-stub twin stays).
 * PostgreSQL-only suites skip themselves without DATABASE_URL. No build is needed first.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '<rootDir>/test/(scale-out|browser|hostile|startup)/',
    '<rootDir>/test/delivery/(process-lifecycle|replay-bounds)\\.e2e-spec\\.ts$',
    '<rootDir>/test/rest/ops-cli\\.e2e-spec\\.ts$',
    '<rootDir>/test/push/push-cluster\\.e2e-spec\\.ts$',
    '<rootDir>/test/client/(react-hooks|sdk)\\.e2e-spec\\.ts$',
  ],
};
