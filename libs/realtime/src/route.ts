/**
 * Path templates such as `/ws/chat/:consultation_id`. Matching ignores one trailing
 * slash, so both `/ws/notifications` and `/ws/notifications/` reach the gateway.
 */
export class RoutePattern {
  private readonly segments: string[];

  constructor(readonly template: string) {
    this.segments = trimSlashes(template).split('/');
  }

  match(pathname: string): Record<string, string> | undefined {
    const parts = trimSlashes(pathname).split('/');
    if (parts.length !== this.segments.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const segment = this.segments[i];
      if (segment.startsWith(':')) {
        if (!parts[i]) return undefined;
        params[segment.slice(1)] = safeDecode(parts[i]);
      } else if (segment !== parts[i]) {
        return undefined;
      }
    }
    return params;
  }
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
