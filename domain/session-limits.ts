// A session's message limit and setting defaults without zod, for the session and job workflows
// (domain/value-checks.ts says why); the zod schemas in domain/agents.ts are built from them.

/** Also the value for sessions whose settings predate the setting. */
export const DEFAULT_QUESTION_ROUNDS = 3;

export const MAX_MESSAGE_CHARS = 20_000;
export const messageContentErrors = { empty: 'Message is empty', long: `Message is over ${MAX_MESSAGE_CHARS} characters` } as const;

/** Why `content` is no message (read trimmed, as the API's `MessageContent` reads it), or null when it is one. */
export function messageContentProblem(content: unknown): string | null {
  if (typeof content !== 'string') return 'Message must be text';
  const trimmed = content.trim();
  if (trimmed.length === 0) return messageContentErrors.empty;
  return trimmed.length > MAX_MESSAGE_CHARS ? messageContentErrors.long : null;
}
