import type { SearchAttributePair } from '@temporalio/common';
import { ForgeJobType, ForgeOrgId, ForgeProjectId, ForgeSessionId } from './search-attributes';

/** What an operator filters a codegen job by: set when the session starts it and when the API retries it. */
export const jobSearchAttributes = (job: { organizationId: string; projectId: string; sessionId: string }): SearchAttributePair[] => [
  { key: ForgeOrgId, value: job.organizationId },
  { key: ForgeProjectId, value: job.projectId },
  { key: ForgeSessionId, value: job.sessionId },
  { key: ForgeJobType, value: 'codegen' },
];
