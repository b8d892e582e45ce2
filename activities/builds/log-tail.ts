/**
 * The last lines of a log, kept in memory while the whole log streams out as deltas: what a failed
 * preview or deployment shows, and what its row stores. Lines are cut so one minified bundle
 * printed by a tool cannot fill it.
 */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly maxLines = 200,
    private readonly maxLineLength = 2_000,
  ) {}

  push(line: string): void {
    this.lines.push(line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  get(): string[] {
    return [...this.lines];
  }
}
