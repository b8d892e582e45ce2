import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerConfig } from '../../domain/config';
import type { DeltaPublisher } from '../events/publish-deltas';
import type { ProviderDeps } from '../providers/provider-registry';
import { SecretBox } from '../providers/secret-box';

export type DeliveryConfig = Pick<WorkerConfig, 'ENCRYPTION_KEY'>;

export interface DeliveryDeps {
  orm: MikroORM;
  config: DeliveryConfig;
  /** Provider log lines go out as live deltas on the preview's or deployment's topic. */
  publisher: DeltaPublisher;
}

export interface DeliveryContext {
  orm: MikroORM;
  publisher: DeltaPublisher;
  providers: ProviderDeps;
}

/**
 * What the agents side of deliveries shares: the database and the key that opens provider
 * secrets. Builds and local servers are the builder's (activities/builds/build-activities.ts).
 */
export function deliveryContext(deps: DeliveryDeps): DeliveryContext {
  return {
    orm: deps.orm,
    publisher: deps.publisher,
    providers: { secretBox: deps.config.ENCRYPTION_KEY ? new SecretBox(deps.config.ENCRYPTION_KEY) : undefined },
  };
}
