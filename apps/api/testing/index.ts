/**
 * @numerai/testing — integration tests against the real gateways: the app on a temporary
 * database and a free port (`startTestApp`), users and consultations through REST, and a test
 * client whose sockets are typed by the endpoint contract (`testClient(app).chat(user, id)`).
 * See README.md, "Testing your module against the gateways".
 */
export { startTestApp, TEST_JWT_SECRET } from './test-app';
export type { TestApp, TestAppOptions } from './test-app';
export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { connect, TestSocket } from './test-socket';
export { http } from './http';
export type { HttpResult } from './http';
export { createConsultation, createUser, messageHistory, quietLifecycle, systemMessagesStored } from './rest-factories';
export type { ConsultationOptions, RestTarget, TestUser } from './rest-factories';
export { ConnectionRefused, EndpointConnection, testClient } from './test-client';
export type { OpenOptions, TestClient, TestClientOptions } from './test-client';
export { OpenSockets } from './open-sockets';
export { sleep, waitFor } from './wait-for';
