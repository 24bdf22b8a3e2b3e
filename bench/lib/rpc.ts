import type { ChildProcess } from 'node:child_process';

/** Request/response over a child process's IPC channel (the orchestrator ↔ load generator and server probes). */
interface RpcRequest {
  rpc: number;
  method: string;
  params: unknown;
}

interface RpcResponse {
  rpcReply: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

function isResponse(message: unknown): message is RpcResponse {
  return typeof message === 'object' && message !== null && typeof (message as RpcResponse).rpcReply === 'number';
}

function isRequest(message: unknown): message is RpcRequest {
  return typeof message === 'object' && message !== null && typeof (message as RpcRequest).rpc === 'number';
}

export class RpcClient {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (message: unknown) => {
      if (!isResponse(message)) return;
      const waiter = this.pending.get(message.rpcReply);
      if (!waiter) return;
      this.pending.delete(message.rpcReply);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error ?? 'remote error'));
    });
    child.on('exit', (code, signal) => this.failAll(new Error(`${label} exited (${signal ?? code})`)));
  }

  call<T>(method: string, params: unknown = {}, timeoutMs = 60_000): Promise<T> {
    if (!this.child.connected) return Promise.reject(new Error(`${this.label} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}.${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ rpc: id, method, params } satisfies RpcRequest, (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  private failAll(error: Error): void {
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }
}

export type RpcHandlers = Record<string, (params: never) => unknown>;

/** In a child: answers RpcClient calls whose method is in `handlers` (other methods are left to other listeners). */
export function serveRpc(handlers: RpcHandlers): void {
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.method];
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(message.params as never))
      .then(
        (result) => reply({ rpcReply: message.rpc, ok: true, result }),
        (error: unknown) =>
          reply({
            rpcReply: message.rpc,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
  });
}

function reply(response: RpcResponse): void {
  if (process.connected) process.send?.(response);
}
