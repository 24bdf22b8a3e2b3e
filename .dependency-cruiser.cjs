/**
 * `npm run lint:deps` (part of `npm run check`): the layering the libraries keep, enforced.
 * Paths are relative to the directory depcruise runs in; `@numerai/*` resolves through tsconfig.json's `paths`.
 * test/lint/dependency-rules.e2e-spec.ts plants each violation in a fixture and checks it fails.
 */

// Libraries any feature may build on. They never import a feature: a generic piece that needs
// something from a feature takes it as an abstract provider the app binds. rate-limit is here too
// (budgets and their storage; it imports only generic libs).
const GENERIC = [
  'common',
  'protocol',
  'events',
  'realtime',
  'scale-out',
  'scheduler',
  'database',
  'config',
  'logging',
  'metrics',
  'rate-limit',
];
const genericLib = `^libs/(${GENERIC.join('|')})/`;

// Known exception, kept as narrow as it is: the WebSocket upgrade and session renewal verify the
// bearer token with auth's Authenticator (and module import). Inverting it (a token-verifier port
// realtime declares and the app binds to auth) belongs with issue 25's stream rework; until then
// only these three files may import libs/auth, and nothing else in realtime may import a feature.
const REALTIME_AUTH = '^libs/realtime/src/(realtime[.]module|upgrade-gate|session-renewal)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'generic-imports-feature',
      comment: 'A generic lib (see GENERIC) imports a feature lib: the dependency points upward.',
      severity: 'error',
      from: { path: genericLib, pathNot: REALTIME_AUTH },
      to: { path: '^libs/', pathNot: genericLib },
    },
    {
      name: 'generic-imports-feature',
      comment: 'The realtime files allowed to import libs/auth (see REALTIME_AUTH) import another feature lib.',
      severity: 'error',
      from: { path: REALTIME_AUTH },
      to: { path: '^libs/', pathNot: [genericLib, '^libs/auth/'] },
    },
    {
      name: 'not-to-apps',
      comment: 'Only the app itself, the suites (test/, *.spec.ts) and the bench import apps/.',
      severity: 'error',
      from: { pathNot: ['^(apps|test|bench)/', '[.]spec[.]ts$'] },
      to: { path: '^apps/' },
    },
    {
      name: 'not-to-another-app',
      comment: 'One app imports another.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'An import cycle (type-only imports count: they still couple the two ends).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      // The fixture plants violations on purpose (test/lint/dependency-rules.e2e-spec.ts).
      path: '(^|/)(node_modules|dist|coverage)/|^apps/api/public/|^bench/results/|^test/lint/fixtures/',
    },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
