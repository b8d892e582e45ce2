import { Preview } from '../db/entities/index';
import type { MikroORM } from '../db/orm';
import type { ForgeMetrics } from './forge-metrics';

/**
 * Keeps the `forge_previews_live` gauge current: the platform's live previews, counted in the
 * database every `everyMs` (previews outlive any one worker, so no worker can count its own).
 * Returns the stop function.
 */
export function watchPreviewsLive(orm: MikroORM, metrics: ForgeMetrics, everyMs = 15_000): () => void {
  const count = () => orm.em.fork().count(Preview, { status: 'live' }).then(metrics.setPreviewsLive, () => undefined);
  void count();
  const timer = setInterval(count, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
