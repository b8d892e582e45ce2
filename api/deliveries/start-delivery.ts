import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deployment, Preview } from '../../db/entities/index';
import { AppError, ErrorCode } from '../../domain/errors';
import { dependencyError } from '../dependencies/dependency-errors';

/**
 * Starts the workflow of a preview or deployment whose row was just recorded. When Temporal
 * cannot take it, the row ends `failed` (rather than `pending` forever) and the caller gets a 503.
 */
export async function startDelivery(em: EntityManager, row: Preview | Deployment, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    const message = `The workflow could not be started: ${(err as Error).message}`;
    row.status = 'failed';
    row.error = { code: ErrorCode.unavailable, message };
    await em.flush();
    throw dependencyError(err) ?? new AppError(ErrorCode.unavailable, 'The workflow service is unavailable: try again shortly');
  }
}
