/**
 * Jest 30 on Node 20 cannot `require` NestJS 12 (ESM-only), so the ESM-only packages are
 * compiled to CommonJS by babel-jest and our TypeScript by ts-jest. Without the dynamic-import
 * plugin Nest's optional load of its websockets module fails silently (gateways never register).
 * The real-server suites and how they run are in README.md ("Optional test suites", under
 * "The two commands").
 */
const ESM_ONLY = [
  '@nestjs',
  'file-type',
  'load-esm',
  'uid',
  '@standard-schema',
  'token-types',
  'strtok3',
  '@tokenizer',
  'uint8array-extras',
];

const { compilerOptions } = require('./tsconfig.json');
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: [
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    // The nemesis checker's own unit tests (bad histories it must reject).
    '<rootDir>/test/nemesis/**/*.spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'ES2022',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          isolatedModules: true,
          ignoreDeprecations: '6.0',
        },
      },
    ],
    '^.+\\.m?js$': [
      'babel-jest',
      {
        configFile: false,
        babelrc: false,
        plugins: [
          ['babel-plugin-transform-import-meta', { module: 'ES6' }],
          '@babel/plugin-transform-dynamic-import',
          '@babel/plugin-transform-modules-commonjs',
        ],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testTimeout: 30000,
  maxWorkers: 2,
  // Every file's tests run in a shuffled order, so a test that leans on another one's leftovers
  // fails here rather than on the day someone reorders them. The seed is printed: replay a
  // failing order with `npx jest --seed=<seed> <file>`.
  randomize: true,
  showSeed: true,
};
