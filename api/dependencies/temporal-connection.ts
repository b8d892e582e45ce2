import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { Config } from '../../domain/config';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Calls that wait on a workflow by design (an update runs its handler, `result()` long-polls the
 * history) get the longer deadline; every other call answers or fails within the short one.
 */
const waitingMethods = new Set(['UpdateWorkflowExecution', 'PollWorkflowExecutionUpdate', 'GetWorkflowExecutionHistory']);

/**
 * Gives every call a deadline, so a hung server costs seconds, not forever; a deadline set around
 * the call (the request's budget, api/app.ts; a probe's) wins when it is sooner.
 */
function defaultDeadline(rpcMs: number, waitMs: number): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? '';
    const own = Date.now() + (waitingMethods.has(method) ? waitMs : rpcMs);
    const given = options.deadline instanceof Date ? options.deadline.getTime() : options.deadline;
    const deadline = given === undefined ? own : Math.min(given, own);
    // grpc-js types nextCall's result as the interface its InterceptingCall implements.
    return nextCall({ ...options, deadline }) as ReturnType<Interceptor>;
  };
}

/**
 * Four retries of an unreachable server (UNAVAILABLE) take about 1.8 s of backoff (100 ms x 1.7^n),
 * instead of the SDK's ten (about 20 s): a request learns within a few seconds that Temporal is
 * down and answers 503; the client retries it with its Idempotency-Key.
 */
const retryAttempts = 5;

/**
 * The API's one Temporal connection. Lazy, so the API starts (and /health names Temporal) while
 * the server is down; the deadline interceptor sits outside the retry one, so retries share it.
 */
export function temporalConnection(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_RPC_TIMEOUT_MS' | 'TEMPORAL_WAIT_TIMEOUT_MS'>): Connection {
  return Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    connectTimeout: config.TEMPORAL_RPC_TIMEOUT_MS,
    interceptors: [
      defaultDeadline(config.TEMPORAL_RPC_TIMEOUT_MS, config.TEMPORAL_WAIT_TIMEOUT_MS),
      makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: retryAttempts })),
    ],
  });
}
