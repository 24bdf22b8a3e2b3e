// The raw socket of apps/api/testing; `testClient(app)` there gives the contract-typed one.
export { connect, TestSocket } from '@numerai/testing';
