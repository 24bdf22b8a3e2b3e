// The raw socket of libs/testing; `testClient(app)` there gives the contract-typed one.
export { connect, TestSocket } from '@numerai/testing';
