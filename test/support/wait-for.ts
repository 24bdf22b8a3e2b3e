// The one way suites wait for a condition (libs/testing/src/wait-for.ts).
export { sleep, waitFor } from '@numerai/testing';
