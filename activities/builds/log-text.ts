/**
 * Tenant output made safe to store: PostgreSQL text and jsonb refuse NUL (`\u0000 cannot be
 * converted to text`), and other C0 controls and lone surrogates only garble a log view. Invalid
 * UTF-8 is already U+FFFD once the stream is decoded (line-reader.ts); these become U+FFFD too, so
 * a reader still sees that something was there.
 */
const unstorable = /[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const storableText = (text: string): string => text.replace(unstorable, '\ufffd');

/** One log line cut to `max` characters, so a minified bundle printed by a tool cannot fill a tail. */
export const cappedLine = (line: string, max: number): string => (line.length > max ? `${line.slice(0, max)}… [${line.length - max} more characters]` : line);
