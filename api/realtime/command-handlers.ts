import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { JobDto } from '../../domain/agents';
import { AnswerCommand, JobCommand, RejectPlanCommand, SendMessageCommand } from '../../domain/realtime';
import type { AgentCommands, CommandContext } from '../agents/commands';
import { fingerprintOf, replayedError, runIdempotent } from '../http/idempotency';
import { acked } from './acked';
import type { RealtimeSocket } from './socket-types';

/**
 * Client commands over the socket: the same AgentCommands as the REST routes, so organization
 * and role checks, Temporal updates (a validator's refusal comes back as the ack's error) and the
 * audit trail are identical whichever way a client sends them.
 */
export function registerCommandHandlers(socket: RealtimeSocket, deps: { orm: MikroORM; commands: AgentCommands; logger: Logger }) {
  const { commands, logger } = deps;
  /**
   * Runs a command once per `idempotencyKey` (the same store and rules as the REST header):
   * a resent command gets the first ack, success or error.
   */
  const once = (name: string) => async <C extends { idempotencyKey?: string }>(c: C, run: (ctx: CommandContext) => Promise<JobDto>) => {
    const { idempotencyKey, ...payload } = c;
    const ctx: CommandContext = { em: deps.orm.em.fork(), userId: socket.data.userId, ip: socket.handshake.address, idempotencyKey };
    if (idempotencyKey === undefined) return { job: await run(ctx) };
    const scope = { userId: ctx.userId, key: idempotencyKey, fingerprint: fingerprintOf(`socket ${name}`, '', payload, ctx.userId) };
    const answer = await runIdempotent(ctx.em, scope, async () => ({ status: 200, body: { job: await run(ctx) } }));
    void answer.recorded.catch((err: unknown) => logger.warn({ err, command: name }, 'idempotency key answer not recorded'));
    const error = replayedError(answer);
    if (error) throw error;
    return answer.body as { job: JobDto };
  };

  socket.on('send_message', acked(SendMessageCommand, logger, (c) => once('send_message')(c, (ctx) => commands.sendMessage(ctx, c.sessionId, c.content))));
  socket.on('approve_plan', acked(JobCommand, logger, (c) => once('approve_plan')(c, (ctx) => commands.approvePlan(ctx, c.jobId))));
  socket.on('reject_plan', acked(RejectPlanCommand, logger, (c) => once('reject_plan')(c, (ctx) => commands.rejectPlan(ctx, c.jobId, c.feedback))));
  socket.on('answer', acked(AnswerCommand, logger, (c) => once('answer')(c, (ctx) => commands.answer(ctx, c.jobId, c.answer))));
  socket.on('cancel', acked(JobCommand, logger, (c) => once('cancel')(c, (ctx) => commands.cancel(ctx, c.jobId))));
}
