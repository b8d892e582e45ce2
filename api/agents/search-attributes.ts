import type { TypedSearchAttributes } from '@temporalio/common';
import { ForgeJobType, ForgeOrgId, ForgeProjectId, ForgeSessionId } from '../../workflows/search-attributes';

type Pairs = ConstructorParameters<typeof TypedSearchAttributes>[0];

/** Search attributes an operator filters jobs by in the Temporal UI. */
export const jobSearchAttributes = (job: { organizationId: string; projectId: string; sessionId: string }): Pairs => [
  { key: ForgeOrgId, value: job.organizationId },
  { key: ForgeProjectId, value: job.projectId },
  { key: ForgeSessionId, value: job.sessionId },
  { key: ForgeJobType, value: 'codegen' },
];
