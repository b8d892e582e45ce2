import { z } from 'zod';

/** Input of `projectDeletionWorkflow` (workflow id `project-deletion-<projectId>`). */
export interface ProjectDeletionInput {
  deletionId: string;
  projectId: string;
  organizationId: string;
  actorId: string;
}

/** What DELETE /projects/:id answers (202): the project is gone (404) once the deletion ends. */
export const ProjectDeletionDto = z.object({ id: z.uuid(), projectId: z.uuid(), status: z.literal('deleting') });
export type ProjectDeletionDto = z.infer<typeof ProjectDeletionDto>;

/** The runs a deletion stops, in this order: jobs feed previews, and previews and deployments hold provider resources. */
export const ProjectRunKind = z.enum(['sessions', 'previews', 'deployments']);
export type ProjectRunKind = z.infer<typeof ProjectRunKind>;
