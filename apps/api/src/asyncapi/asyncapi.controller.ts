import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@numerai/common';
import { type AsyncApiDocument, buildAsyncApiDocument } from './asyncapi-document';
import { ASYNCAPI_PAGE } from './asyncapi-page';

/**
 * The real-time API's AsyncAPI document, generated from the endpoint contract once, at start-up.
 * Public, like /api/docs; left out of the OpenAPI document, whose description links here instead.
 */
@ApiExcludeController()
@Public()
@Controller('api')
export class AsyncApiController {
  private readonly document: AsyncApiDocument = buildAsyncApiDocument();

  @Get('asyncapi.json')
  json(): AsyncApiDocument {
    return this.document;
  }

  @Get('asyncapi')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  page(): string {
    return ASYNCAPI_PAGE;
  }
}
