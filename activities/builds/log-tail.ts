import { cappedLine, storableText } from './log-text';

/**
 * The last lines of a log: what a failed preview or deployment shows, and what its row stores.
 * Tenant output is made storable (log-text.ts) and capped twice: per line and by the number of
 * lines, so the whole tail stays under maxLines x maxLineLength (about 400 KB) whatever a build prints.
 */
export class LogTail {
  private readonly lines: string[] = [];
  private dropped = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxLineLength = 2_000,
  ) {}

  push(line: string): void {
    this.lines.push(cappedLine(storableText(line), this.maxLineLength));
    if (this.lines.length > this.maxLines) this.dropped += this.lines.splice(0, this.lines.length - this.maxLines).length;
  }

  get(): string[] {
    return this.dropped > 0 ? [`… ${this.dropped} earlier lines not kept`, ...this.lines.slice(1)] : [...this.lines];
  }
}
