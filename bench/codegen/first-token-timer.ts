import { ServerResponse } from 'node:http';

interface StreamedReply {
  /** performance.now() when the model server wrote the reply's first content token. */
  firstTokenAt: number;
  text: string;
}

/**
 * When the in-process model server wrote the first token of each streamed reply, found again by the
 * reply's whole text when no other reply has the same (a plan names its job's app). It
 * wraps ServerResponse.write in this process only, for one bench phase: the model server and the
 * product's code stay untouched, and the client's receipt times come from the same clock.
 */
export function startFirstTokenTimer() {
  const replies = new WeakMap<ServerResponse, StreamedReply>();
  const all: StreamedReply[] = [];
  const write = ServerResponse.prototype.write;
  ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    // Server-sent chunks of a streamed completion (writeHead's headers are not readable back here).
    if (typeof chunk === 'string' && chunk.startsWith('data: {')) {
      const content = (JSON.parse(chunk.slice('data: '.length)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content;
      if (content) {
        let reply = replies.get(this);
        if (!reply) {
          reply = { firstTokenAt: performance.now(), text: '' };
          replies.set(this, reply);
          all.push(reply);
        }
        reply.text += content;
      }
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  return {
    /** The first token's time of the one reply with exactly this text; undefined when none or several have it. */
    firstTokenOf: (text: string): number | undefined => {
      const matching = all.filter((r) => r.text === text);
      return matching.length === 1 ? matching[0]!.firstTokenAt : undefined;
    },
    stop: () => { ServerResponse.prototype.write = write; },
  };
}
