import { createConsultation, createUser } from '../../support/factories';
import { startTestServer } from '../../support/server';
import { ProtocolStub } from './protocol-stub';

export interface BackendUser {
  id: string;
  name: string;
  token: string;
}

/** What the cross-backend suites need: a server, two participants of one consultation, an outsider. */
export interface Backend {
  kind: 'protocol stub' | 'real server';
  httpUrl: string;
  wsUrl: string;
  client: BackendUser;
  numerologist: BackendUser;
  outsider: BackendUser;
  consultationId: string;
  /** The stub itself, for suites that stage failures; undefined on the real server. */
  stub?: ProtocolStub;
  close(): Promise<void>;
}

export async function startStubBackend(): Promise<Backend> {
  const stub = await ProtocolStub.start();
  const client = stub.addUser('Ann Client');
  const numerologist = stub.addUser('Bob Numerologist');
  const outsider = stub.addUser('Eve Outsider');
  const consultationId = stub.addConsultation(client, numerologist);
  return {
    kind: 'protocol stub',
    httpUrl: stub.httpUrl,
    wsUrl: stub.wsUrl,
    client,
    numerologist,
    outsider,
    consultationId,
    stub,
    close: () => stub.close(),
  };
}

/** The real app (test/support/server.ts) with users made through its REST API. */
export async function startRealBackend(env: Record<string, string> = {}): Promise<Backend> {
  const server = await startTestServer(env);
  try {
    const { consultation, client, numerologist } = await createConsultation(server);
    const outsider = await createUser(server);
    const asUser = (u: { id: string; name: string; token: string }) => ({ id: u.id, name: u.name, token: u.token });
    return {
      kind: 'real server',
      httpUrl: server.httpUrl,
      wsUrl: server.wsUrl,
      client: asUser(client),
      numerologist: asUser(numerologist),
      outsider: asUser(outsider),
      consultationId: consultation.id,
      close: () => server.close(),
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
