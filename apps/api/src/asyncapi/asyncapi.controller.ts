import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@numerai/common';
import { type AsyncApiDocument, buildAsyncApiDocument } from './asyncapi-document';
import {
  ASYNCAPI_PAGE,
  ASYNCAPI_PAGE_CSP,
  ASYNCAPI_ROUTES,
  type RendererFile,
  resolveRendererFiles,
} from './asyncapi-page';

/**
 * The real-time API's AsyncAPI document, generated from the endpoint contract once, at start-up,
 * and the page that renders it with the renderer's own files (see asyncapi-page.ts).
 * Public, like /api/docs; left out of the OpenAPI document, whose description links here instead.
 */
@ApiExcludeController()
@Public()
@Controller()
export class AsyncApiController {
  private readonly document: AsyncApiDocument = buildAsyncApiDocument();
  private readonly rendererFiles = resolveRendererFiles();

  @Get(ASYNCAPI_ROUTES.document)
  json(): AsyncApiDocument {
    return this.document;
  }

  @Get(ASYNCAPI_ROUTES.page)
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', ASYNCAPI_PAGE_CSP)
  page(): string {
    return ASYNCAPI_PAGE;
  }

  @Get(ASYNCAPI_ROUTES.script)
  script(@Res() res: Response): void {
    this.sendRendererFile('script', res);
  }

  @Get(ASYNCAPI_ROUTES.styles)
  styles(@Res() res: Response): void {
    this.sendRendererFile('styles', res);
  }

  /**
   * Express' file sender: the content type from the extension, ETag and Last-Modified. With
   * no-cache a browser revalidates the 3 MB bundle (304) and downloads it again only after an
   * upgrade of the package changed it.
   */
  private sendRendererFile(file: RendererFile, res: Response): void {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(this.rendererFiles[file]);
  }
}
