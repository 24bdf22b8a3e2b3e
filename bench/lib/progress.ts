/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per finished step otherwise
 * (CI logs). Task weights are rough seconds, so the bar moves with time inside a long step.
 */
export class Progress {
  private doneWeight = 0;
  private current: { label: string; weight: number; started: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly startedAt = Date.now();

  constructor(private total: number) {
    if (this.tty) {
      this.timer = setInterval(() => this.render(), 250);
      this.timer.unref();
    }
  }

  addTotal(weight: number): void {
    this.total += weight;
  }

  start(label: string, weight: number): void {
    this.finish();
    this.current = { label, weight, started: Date.now() };
    if (this.tty) this.render();
    else process.stderr.write(`[${this.percent().toString().padStart(3)}%] ${label} …\n`);
  }

  finish(): void {
    if (!this.current) return;
    this.doneWeight += this.current.weight;
    this.current = undefined;
    if (this.tty) this.render();
  }

  /** Prints a line above the bar. */
  log(message: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[2K${message}\n`);
    else process.stderr.write(`${message}\n`);
    if (this.tty) this.render();
  }

  stop(): void {
    this.finish();
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[2K');
  }

  private percent(): number {
    let done = this.doneWeight;
    if (this.current) {
      const elapsed = (Date.now() - this.current.started) / 1000;
      done += Math.min(this.current.weight * 0.95, elapsed);
    }
    return Math.min(100, Math.floor((done / Math.max(1, this.total)) * 100));
  }

  private render(): void {
    const width = 30;
    const percent = this.percent();
    const filled = Math.round((percent / 100) * width);
    const elapsed = Math.round((Date.now() - this.startedAt) / 1000);
    const label = this.current?.label ?? '';
    const columns = process.stderr.columns || 100;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent.toString().padStart(3)}% ${elapsed}s ${label}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}
