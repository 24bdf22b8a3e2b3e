// The one way suites wait for a condition (apps/api/testing/wait-for.ts).
export { sleep, waitFor } from '@numerai/testing';
