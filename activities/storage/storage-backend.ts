import type { CodeVersion } from '../../db/entities/index';
import type { FileContent, FileEntry, NewFile, VersionDiffDto, VersionSource } from '../../domain/versions';

export interface SaveVersionInput {
  /** The version the change started from: it must still be the project's current one (null: none yet), else version_conflict. */
  parentVersion: number | null;
  message: string;
  source: VersionSource;
  /** The user behind the change (for an AI generation, who asked for it). */
  authorId: string | null;
  /** The complete tree of the new version, by content hash (stored first with `putFiles`). */
  files: ReadonlyArray<{ path: string; hash: string }>;
  /** Attempt-independent key (an activity's): a second save with it returns the first version instead of a conflict. */
  idempotencyKey?: string;
}

export interface SavedVersion {
  version: CodeVersion;
  /** Sorted by path. */
  files: FileEntry[];
}

/**
 * Where a project's file trees live, bound to one project and one EntityManager (a request's or an
 * activity's fork). Version rows (numbers, parents, messages) are Postgres rows for every backend;
 * a backend keeps the contents and answers for them. Limits and path rules: domain/versions.ts.
 */
export interface StorageBackend {
  /** Stores contents (once per sha256; storing again is a no-op) and returns their entries, in input order. */
  putFiles(files: readonly NewFile[]): Promise<FileEntry[]>;
  /** Records an immutable version: the next number, `parentVersion` checked under a row lock. */
  saveVersion(input: SaveVersionInput): Promise<SavedVersion>;
  /** A version's paths with hash and size, sorted by path. */
  listFiles(version: CodeVersion): Promise<FileEntry[]>;
  /** A version's files with contents, sorted by path. */
  getFiles(version: CodeVersion): Promise<FileContent[]>;
  /** One file, or undefined when the version has no such path. */
  getFile(version: CodeVersion, path: string): Promise<FileContent | undefined>;
  /** Per-file unified diff from one version to another (either order). */
  diff(from: CodeVersion, to: CodeVersion): Promise<VersionDiffDto>;
}
