import type { AppDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { deploymentRoutes } from './deployments';
import { githubRoutes } from './github';
import { githubWebhookRoutes } from './github-webhooks';
import { healthRoutes } from './health';
import { inviteRoutes } from './invites';
import { jobRoutes } from './jobs';
import { meRoutes } from './me';
import { memberRoutes } from './members';
import { orgRoutes } from './orgs';
import { previewRoutes } from './previews';
import { projectRoutes } from './projects';
import { providerConfigRoutes } from './provider-configs';
import { sessionRoutes } from './sessions';
import { topicRoutes } from './topics';
import { usageRoutes } from './usage';
import { versionRoutes } from './versions';

/** Every route of the API, one factory per resource. The OpenAPI document is built from this list. */
export const allRoutes = (deps: AppDeps): RouteDef[] => [
  ...healthRoutes(deps),
  ...authRoutes(deps), ...meRoutes(deps), ...orgRoutes(deps), ...memberRoutes(deps), ...inviteRoutes(deps), ...auditRoutes(deps),
  ...projectRoutes(deps), ...versionRoutes(deps),
  ...sessionRoutes(deps), ...jobRoutes(deps), ...usageRoutes(deps),
  ...topicRoutes(deps),
  ...previewRoutes(deps), ...deploymentRoutes(deps), ...providerConfigRoutes(deps),
  ...githubRoutes(deps), ...githubWebhookRoutes(deps),
];
