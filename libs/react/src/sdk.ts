/**
 * The one place the hooks reach the client SDK. Inside this repo it points at the SDK's
 * source, so tests and the demo run without a build; in the published build this module
 * becomes `export * from '@numerai/client'` (libs/client/scripts/build.mjs), so the hooks
 * use the application's own copy of the SDK instead of bundling a second one.
 */
export * from '../../client/src/index';
