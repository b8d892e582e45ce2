import type { SearchAttributePair } from '@temporalio/common';
import { ForgeJobType, ForgeOrgId, ForgeProjectId, ForgeSessionId } from './search-attributes';

/**
 * The `ForgeJobType` of each workflow kind. Operators filter on these words in the Temporal UI and
 * the project deletion lists running previews by them: a value never changes once released.
 */
export const ForgeJobTypes = {
  session: 'session',
  codegen: 'codegen',
  preview: 'preview',
  deploy: 'deploy',
  projectDeletion: 'project-deletion',
  githubImport: 'github-import',
  githubCommit: 'github-commit',
} as const;

type OfProject = { organizationId: string; projectId: string };
type OfSession = OfProject & { sessionId: string };

const ofProject = (type: string) => (ids: OfProject): SearchAttributePair[] => [
  { key: ForgeOrgId, value: ids.organizationId },
  { key: ForgeProjectId, value: ids.projectId },
  { key: ForgeJobType, value: type },
];

const ofSession = (type: string) => (ids: OfSession): SearchAttributePair[] => [
  { key: ForgeOrgId, value: ids.organizationId },
  { key: ForgeProjectId, value: ids.projectId },
  { key: ForgeSessionId, value: ids.sessionId },
  { key: ForgeJobType, value: type },
];

/**
 * What an operator filters each workflow kind by, set wherever one is started (API routes,
 * activities, parent workflows), so a kind is tagged the same whoever starts it. Workflow-safe:
 * it imports only @temporalio/common. `ForgeStage` is not here: the workflow upserts it as it moves.
 */
export const searchAttributesOf = {
  session: ofSession(ForgeJobTypes.session),
  codegenJob: ofSession(ForgeJobTypes.codegen),
  preview: ofProject(ForgeJobTypes.preview),
  deploy: ofProject(ForgeJobTypes.deploy),
  projectDeletion: ofProject(ForgeJobTypes.projectDeletion),
  githubImport: ofProject(ForgeJobTypes.githubImport),
  githubCommit: ofProject(ForgeJobTypes.githubCommit),
};
