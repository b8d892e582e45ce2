export { createForgeClient, type ForgeClient, type ForgeClientOptions } from './forge-client';
export { ForgeApiError } from './forge-api-error';
export type { Watch, WatchOptions } from './live-connection';
export type { SessionWithJobs } from '../domain/agents';
export type { Health } from '../domain/health';
export type { DurableEvent, EventPayloads, StoredEvent, Topic } from '../domain/events';
export type { Delta } from '../domain/realtime';
