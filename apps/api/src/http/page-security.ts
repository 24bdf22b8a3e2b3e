import type { RequestHandler } from 'express';

/**
 * The headers every page this server renders (and every file under it) carries: its own
 * Content-Security-Policy, no framing by other sites (`frame-ancestors 'none'` in the policy,
 * X-Frame-Options for browsers that predate it), and no MIME sniffing of what it serves.
 */
export function pageSecurityHeaders(csp: readonly string[]): RequestHandler {
  const policy = [...csp, "frame-ancestors 'none'"].join('; ');
  return (_request, response, next) => {
    response.setHeader('content-security-policy', policy);
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('x-content-type-options', 'nosniff');
    next();
  };
}
