import { request } from 'node:http';

/**
 * The part of fetch the hooks use, over node:http. Jest's jsdom environment has no fetch
 * (jsdom does not implement it and hides Node's), so hook suites hand this to the provider.
 */
export const nodeFetch = ((input: string | URL, init: RequestInit = {}) =>
  new Promise<Response>((resolve, reject) => {
    const req = request(
      String(input),
      { method: init.method ?? 'GET', headers: init.headers as Record<string, string> | undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: () => Promise.resolve(body),
            json: () => Promise.resolve(JSON.parse(body) as unknown),
          } as Response);
        });
      },
    );
    req.on('error', reject);
    if (typeof init.body === 'string') req.write(init.body);
    req.end();
  })) as typeof fetch;
