import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { SessionSettings, Usage } from '../../domain/agents';
import { baseProperties } from './base';

/** A chat about one project; its messages run as jobs inside workflow `session-<id>`. */
export const AgentSession = defineEntity({
  name: 'AgentSession',
  tableName: 'agent_sessions',
  indexes: [{ properties: ['projectId', 'createdAt'] }],
  properties: {
    ...baseProperties,
    organizationId: p.uuid(),
    projectId: p.uuid(),
    createdById: p.uuid(),
    title: p.string(),
    status: p.enum(['open', 'closed']).default('open'),
    settings: p.json<SessionSettings>(),
    usage: p.json<Usage>(),
  },
});
export type AgentSession = InferEntity<typeof AgentSession>;
