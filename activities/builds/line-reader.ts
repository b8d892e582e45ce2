import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/**
 * Splits a child's output into lines without ever holding more than `maxLine` characters of one:
 * a build printing 50 MB without a newline costs a bounded buffer, not 50 MB of string (readline
 * would keep the whole line). Bytes are decoded as UTF-8, invalid sequences becoming U+FFFD.
 */
export function readLines(stream: Readable, onLine: (line: string) => void, maxLine = 8_192): void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let overflow = 0;
  const take = (text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      emit(pending + text.slice(start, nl));
      pending = '';
      start = nl + 1;
    }
    pending += text.slice(start);
    if (pending.length > maxLine) {
      overflow += pending.length - maxLine;
      pending = pending.slice(0, maxLine);
    }
  };
  const emit = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    onLine(overflow > 0 ? `${text}… [${overflow} more characters dropped]` : text);
    overflow = 0;
  };
  stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
  stream.on('end', () => {
    take(decoder.end());
    if (pending || overflow) emit(pending);
    pending = '';
  });
}
