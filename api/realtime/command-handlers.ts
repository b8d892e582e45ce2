import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { JobDto } from '../../domain/agents';
import { AnswerCommand, JobCommand, RejectPlanCommand, SendMessageCommand } from '../../domain/realtime';
import type { AgentCommands } from '../agents/commands';
import { acked } from './acked';
import type { RealtimeSocket } from './socket-types';

/**
 * Client commands over the socket: the same AgentCommands as the REST routes, so organization
 * and role checks, Temporal updates (a validator's refusal comes back as the ack's error) and the
 * audit trail are identical whichever way a client sends them.
 */
export function registerCommandHandlers(socket: RealtimeSocket, deps: { orm: MikroORM; commands: AgentCommands; logger: Logger }) {
  const { commands, logger } = deps;
  const ctx = () => ({ em: deps.orm.em.fork(), userId: socket.data.userId, ip: socket.handshake.address });
  const result = async (job: Promise<JobDto>) => ({ job: await job });

  socket.on('send_message', acked(SendMessageCommand, logger, (c) => result(commands.sendMessage(ctx(), c.sessionId, c.content))));
  socket.on('approve_plan', acked(JobCommand, logger, (c) => result(commands.approvePlan(ctx(), c.jobId))));
  socket.on('reject_plan', acked(RejectPlanCommand, logger, (c) => result(commands.rejectPlan(ctx(), c.jobId, c.feedback))));
  socket.on('answer', acked(AnswerCommand, logger, (c) => result(commands.answer(ctx(), c.jobId, c.answer))));
  socket.on('cancel', acked(JobCommand, logger, (c) => result(commands.cancel(ctx(), c.jobId))));
}
