/**
 * Runs one call per key at a time, the others waiting here in turn, in arrival order: a burst of
 * one organization's deliveries, or one session's messages handed on in the order they were admitted.
 */
export function perKeyQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(run, run);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return result;
  };
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit per key: `run` gets every item waiting for a key, one call per key at a time. An
 * item that finds its key idle starts a call at once, alone; items arriving while a call runs go
 * together in the next one (at most `maxBatch`). `run` answers one result per item, in order; when
 * it throws, every item of that call gets the error.
 */
export function batchPerKey<I, O>(run: (key: string, items: I[]) => Promise<O[]>, maxBatch = 100) {
  const queues = new Map<string, Array<Waiting<I, O>>>();
  const drain = async (key: string, queue: Array<Waiting<I, O>>) => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        const results = await run(key, batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
      queue.splice(0, batch.length);
    }
    queues.delete(key);
  };
  return (key: string, item: I): Promise<O> => new Promise<O>((resolve, reject) => {
    const queue = queues.get(key);
    if (queue) return void queue.push({ item, resolve, reject });
    const started = [{ item, resolve, reject }];
    queues.set(key, started);
    void drain(key, started);
  });
}
