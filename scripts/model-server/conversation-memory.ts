/**
 * What the offline model remembers of a conversation: it reads the `<history>` section Forge sends
 * (domain/conversation.ts: an optional summary, then `user (message): ...` lines) and its own
 * summaries (`first message: ...`, `requests: a | b`), so references to earlier turns resolve.
 */

export interface Memory {
  firstMessage: string | undefined;
  /** Every user message in order, oldest first. */
  requests: string[];
  versions: string[];
}

const field = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1]?.trim();

export function readMemory(history: string | undefined, previousSummary?: string): Memory {
  const text = [previousSummary ?? '', history ?? ''].join('\n');
  const summarized = (field(text, 'requests') ?? '').split(' | ').filter(Boolean);
  const lines = text.split('\n');
  const said = lines.flatMap((l) => /^user \(message\): (.*)$/.exec(l)?.[1] ?? []);
  const versions = [...(field(text, 'versions') ?? '').split(', ').filter(Boolean), ...lines.flatMap((l) => /^forge \(outcome\): Saved version (\d+)/.exec(l)?.[1] ?? [])];
  return { firstMessage: field(text, 'first message') ?? said[0], requests: [...summarized, ...said], versions };
}

/** The offline summarizer's condensation: a few labelled lines that a later summary extends. */
export function summarize(memory: Memory): string {
  return [
    `first message: ${memory.firstMessage ?? '(none)'}`,
    `requests: ${memory.requests.join(' | ')}`,
    `versions: ${memory.versions.join(', ')}`,
  ].join('\n');
}

const asksFirst = /\b(first|earliest|initial)\s+(message|request|question|thing)\b|\bat (the )?(start|first)\b/i;
const asksLast = /\b(last|previous|latest)\s+(message|request)\b/i;

/** An answer to "what did I ask for in my first/last message?" from memory; undefined for other questions. */
export function recall(question: string, memory: Memory): string | undefined {
  if (asksFirst.test(question)) return memory.firstMessage ? `Your first message was: "${memory.firstMessage}".` : 'This is your first message in this session.';
  if (asksLast.test(question)) {
    const last = memory.requests.at(-1);
    return last ? `Your previous message was: "${last}".` : 'This is your first message in this session.';
  }
  return undefined;
}
