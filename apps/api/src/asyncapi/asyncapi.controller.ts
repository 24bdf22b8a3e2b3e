import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@numerai/common';
import { type AsyncApiDocument, buildAsyncApiDocument } from './asyncapi-document';
import { ASYNCAPI_PAGE } from './asyncapi-page';

/** The real-time API's AsyncAPI document, generated from the endpoint contract once, at start-up. */
@ApiTags('documentation')
@Public()
@Controller('api')
export class AsyncApiController {
  private readonly document: AsyncApiDocument = buildAsyncApiDocument();

  @Get('asyncapi.json')
  @ApiOkResponse({ description: 'The AsyncAPI 3 document of the WebSocket endpoints' })
  json(): AsyncApiDocument {
    return this.document;
  }

  @Get('asyncapi')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiOkResponse({ description: 'The same document rendered for people' })
  page(): string {
    return ASYNCAPI_PAGE;
  }
}
