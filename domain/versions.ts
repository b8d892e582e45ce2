import { z } from 'zod';
import { AppError, ErrorCode, invalidInput } from './errors';
import { describePath, FilePath, filePathProblem } from './file-path';
import { trimmedText } from './schema-bounds';
import { PG_INT_MAX } from './value-checks';

// Immutable code versions: their sources, limits, request bodies and answers.

/** `external`: a push made outside Forge to a project's GitHub branch. */
export const VersionSource = z.enum(['ai_generation', 'manual_edit', 'rollback', 'import', 'external']);
export type VersionSource = z.infer<typeof VersionSource>;

/**
 * What one version may hold. They bound the memory of one request and the rows of one version;
 * the upload route's JSON body limit (UPLOAD_BODY_LIMIT_BYTES) sits just above `maxVersionBytes`.
 */
export const VersionLimits = {
  maxFiles: 2_000,
  maxFileBytes: 1024 * 1024,
  maxVersionBytes: 20 * 1024 * 1024,
} as const;

/** Version numbers are Postgres integers: 1 up to 2^31 - 1. */
export const VersionNumber = z.number().int().positive().max(PG_INT_MAX);
/** A version number in a URL (`/versions/:n`). */
export const VersionParam = z.coerce.number().int().positive().max(PG_INT_MAX);
/** A version a new one is saved on: its child's number must still fit, so one below the top. */
const ParentVersion = z.number().int().positive().max(PG_INT_MAX - 1);
const Message = trimmedText(2_000);
const Timestamp = z.iso.datetime();
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** Throws the 400/413 a file set deserves: bad or repeated path (400), too many or too large files (413). */
export function assertValidFileSet(files: ReadonlyArray<{ path: string; size: number }>): void {
  const { maxFiles, maxFileBytes, maxVersionBytes } = VersionLimits;
  if (files.length > maxFiles) {
    throw new AppError(ErrorCode.payloadTooLarge, `A version holds at most ${maxFiles} files, got ${files.length}`, { limit: maxFiles, count: files.length });
  }
  const seen = new Set<string>();
  let total = 0;
  for (const { path, size } of files) {
    const problem = filePathProblem(path);
    if (problem) throw invalidInput(`Path ${describePath(path)} ${problem}`, { path });
    if (seen.has(path)) throw invalidInput(`Path ${describePath(path)} appears more than once`, { path });
    seen.add(path);
    if (size > maxFileBytes) {
      throw new AppError(ErrorCode.payloadTooLarge, `File ${describePath(path)} is ${size} bytes, over the ${maxFileBytes}-byte limit`, { path, size, limit: maxFileBytes });
    }
    total += size;
  }
  if (total > maxVersionBytes) {
    throw new AppError(ErrorCode.payloadTooLarge, `The version is ${total} bytes, over the ${maxVersionBytes}-byte limit`, { size: total, limit: maxVersionBytes });
  }
}

export const NewFile = z.object({ path: FilePath, content: z.string() });
export type NewFile = z.infer<typeof NewFile>;

/** `files` is the complete content of the new version (a snapshot, not a patch on the parent). */
export const CreateVersionBody = z.object({
  /** The version the edit started from; it must still be the current one (null: the project has none yet). */
  parentVersion: ParentVersion.nullable(),
  message: Message,
  source: z.enum([VersionSource.enum.manual_edit, VersionSource.enum.import]).default('manual_edit'),
  files: z.array(NewFile).meta({
    maxItems: VersionLimits.maxFiles,
    description: `The complete tree: at most ${VersionLimits.maxFiles} files (413 past it), each path once, each file at most ${VersionLimits.maxFileBytes} bytes and all at most ${VersionLimits.maxVersionBytes} bytes (413)`,
  }),
});
export type CreateVersionBody = z.infer<typeof CreateVersionBody>;

export const RollbackBody = z.object({ message: Message.optional() }).optional();

export const FileEntry = z.object({ path: z.string(), hash: Sha256, size: z.number().int().nonnegative() });
export type FileEntry = z.infer<typeof FileEntry>;

export const FileContent = FileEntry.extend({ content: z.string() });
export type FileContent = z.infer<typeof FileContent>;

export const VersionSummaryDto = z.object({
  number: VersionNumber,
  parentVersion: VersionNumber.nullable(),
  message: z.string(),
  source: VersionSource,
  /** Where the backend keeps the tree; for the internal backend, the sha256 of the sorted (path, hash) list. */
  storageRef: z.string(),
  authorId: z.uuid().nullable(),
  createdAt: Timestamp,
});
export type VersionSummaryDto = z.infer<typeof VersionSummaryDto>;

export const VersionDto = VersionSummaryDto.extend({
  files: z.array(FileEntry),
  /** GitHub projects: the commit holding this version (null until it is committed, and for internal projects). */
  commit: z.object({ sha: z.string(), pullRequestUrl: z.string().nullable() }).nullable(),
});
export type VersionDto = z.infer<typeof VersionDto>;

export const FileChangeStatus = z.enum(['added', 'removed', 'modified']);
export type FileChangeStatus = z.infer<typeof FileChangeStatus>;

export const FileChange = z.object({
  path: z.string(),
  status: FileChangeStatus,
  /** Unified diff (`--- a/path`, `+++ b/path`; /dev/null for an added or removed file). */
  patch: z.string(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});
export type FileChange = z.infer<typeof FileChange>;

export const DiffStats = z.object({
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  modified: z.number().int().nonnegative(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});
export type DiffStats = z.infer<typeof DiffStats>;

/** Changed files only, sorted by path; unchanged files (same hash) are left out. */
export const VersionDiffDto = z.object({ from: VersionNumber, to: VersionNumber, files: z.array(FileChange), stats: DiffStats });
export type VersionDiffDto = z.infer<typeof VersionDiffDto>;
