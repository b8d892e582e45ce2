import { z } from 'zod';
import { trimmedText } from './schema-bounds';
import { VersionNumber } from './versions';

// Projects: request bodies and answers.

/** Where a project's files live: Postgres always; `github` also commits each version to a branch. */
export const StorageBackendKind = z.enum(['internal', 'github']);
export type StorageBackendKind = z.infer<typeof StorageBackendKind>;

/** Longest slug; derived slugs are cut to it, suffix included. */
export const SLUG_MAX_LENGTH = 60;
export const ProjectSlug = z
  .string()
  .max(SLUG_MAX_LENGTH)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'A slug is lower-case letters and digits in words joined by single dashes');

/** A slug from a display name: "Mon Café App!" becomes "mon-cafe-app"; a name with no letters or digits gives "project". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug || 'project';
}

/** `:projectId` of every project-scoped route. */
export const ProjectParams = z.object({ projectId: z.uuid() });

const Name = trimmedText(100);

export const CreateProjectBody = z.object({ name: Name, slug: ProjectSlug.optional() });
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const UpdateProjectBody = z
  .object({ name: Name.optional(), slug: ProjectSlug.optional() })
  .refine((body) => body.name !== undefined || body.slug !== undefined, 'Give a name, a slug or both')
  // The refinement in the document's terms: at least one of the two properties.
  .meta({ anyOf: [{ required: ['name'] }, { required: ['slug'] }] });
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

/** `version: null` unpublishes. */
export const PublishBody = z.object({ version: VersionNumber.nullable() });

export const ProjectDto = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  slug: z.string(),
  storageBackend: StorageBackendKind,
  /** The newest version; every write (edit, generation, rollback) moves it forward. */
  currentVersion: VersionNumber.nullable(),
  /** The version a deploy ships; moved only by publish. */
  publishedVersion: VersionNumber.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ProjectDto = z.infer<typeof ProjectDto>;
