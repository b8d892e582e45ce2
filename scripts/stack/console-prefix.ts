import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { styleText } from 'node:util';

type Color = Parameters<typeof styleText>[0];
const colors: Record<string, Color> = { db: 'blue', temporal: 'magenta', model: 'yellow', api: 'green', worker: 'cyan', start: 'bold' };

/** `[api] `, colored per service when stdout is a terminal (styleText honours NO_COLOR/FORCE_COLOR). */
export function prefix(name: string): string {
  return `${styleText(colors[name] ?? 'white', `[${name}]`, { stream: process.stdout })} `;
}

/** Prints a line as one service of the stack. */
export function say(name: string, line: string): void {
  process.stdout.write(prefix(name) + line + '\n');
}

/** Copies a child's output to our stdout line by line under its prefix; keeps the last lines for error messages. */
export function prefixLines(name: string, stream: Readable, keep: string[], keepCount = 30): void {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    say(name, line);
    keep.push(line);
    if (keep.length > keepCount) keep.shift();
  });
}
