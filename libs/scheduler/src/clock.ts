/**
 * Where scheduled work reads "now". Injected so tests move time (across a DST change, say)
 * instead of waiting for it; production uses the system clock.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to: for tests. */
export class ManualClock extends Clock {
  private current: Date;

  constructor(start: Date | string | number = new Date()) {
    super();
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string | number): void {
    this.current = new Date(to);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
