export { http, type HttpResult } from '@numerai/testing';
