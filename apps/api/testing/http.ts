/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are asserted field by field in the tests */
/** A tiny fetch wrapper: JSON in and out, status and headers kept for assertions. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  // No keep-alive: a pooled socket would outlive the test's server and keep Jest waiting.
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Non-JSON answers (docs, metrics) stay text.
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
