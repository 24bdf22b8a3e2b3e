import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig, portProblem } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { Metrics } from './metrics.service';

/**
 * With METRICS_PORT set, `GET /metrics` on a listener of its own (METRICS_HOST, by default
 * 127.0.0.1): the scraper reaches it on the private network, the public one never does.
 * Serves nothing else.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: ContextLogger;
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('MetricsListener');
  }

  /** The port it listens on (METRICS_PORT=0 picks a free one), or undefined when off. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === undefined) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.scrape().then(
        (body) =>
          response.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(body),
        (error: unknown) => {
          this.logger.error(error instanceof Error ? error : String(error));
          response.writeHead(500).end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(portProblem('METRICS_PORT', port, error) ?? new Error(`METRICS_PORT ${host}:${port}: ${error.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on http://${host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
