export { createForgeClient, type ForgeClient, type ForgeClientOptions } from './forge-client';
export { ForgeApiError } from './forge-api-error';
export type { Watch, WatchOptions } from './live-connection';
export type { SessionWithJobs } from './agents-api';
export type { Health } from './system-api';
export type { DurableEvent, EventPayloads, StoredEvent, Topic } from '../domain/events';
export type { Delta } from '../domain/realtime';
