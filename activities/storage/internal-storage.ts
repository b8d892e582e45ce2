import type { EntityManager } from '@mikro-orm/postgresql';
import type { CodeVersion, Project } from '../../db/entities/index';
import { readBlobs } from '../../db/repositories/blobs';
import { advanceCurrentVersion, findVersionByKey, insertVersion } from '../../db/repositories/versions';
import { AppError, ErrorCode, invalidInput } from '../../domain/errors';
import { describePath } from '../../domain/file-path';
import { assertValidFileSet, type FileContent, type FileEntry, type NewFile, type VersionDiffDto } from '../../domain/versions';
import { sha256Hex, treeHash } from './content-hash';
import type { SavedVersion, SaveVersionInput, StorageBackend } from './storage-backend';
import { changedPaths, renderDiff } from './version-diff';

interface FileRow {
  path: string;
  hash: string;
  size: number;
}

type ContentRow = FileRow & { content: Buffer };

/** The files of one version (`?` = its id), aliased f (source_files) and b (file_blobs). */
const VERSION_TREE = 'from source_files f join file_blobs b on b.hash = f.hash where f.version_id = ?';

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const toContent = ({ content, ...entry }: ContentRow): FileContent => ({ ...entry, content: content.toString('utf8') });

/**
 * The Postgres backend: contents in `file_blobs` (one row per sha256, shared by every version and
 * project that holds them), trees in `source_files` (version, path, hash). Its storageRef is the
 * tree hash (activities/storage/content-hash.ts).
 */
export class InternalStorage implements StorageBackend {
  constructor(
    private readonly em: EntityManager,
    private readonly project: Project,
  ) {}

  async putFiles(files: readonly NewFile[]): Promise<FileEntry[]> {
    const encoded = files.map(({ path, content }) => {
      const bytes = Buffer.from(content, 'utf8');
      return { path, bytes, size: bytes.length, hash: sha256Hex(bytes) };
    });
    // Refused before anything is written: a batch larger than a version can never be saved.
    assertValidFileSet(encoded);
    const blobs = [...new Map(encoded.map((file) => [file.hash, file])).values()];
    if (blobs.length > 0) {
      // Sorted by hash so concurrent writers take the unique-index locks in one order and never deadlock.
      blobs.sort((a, b) => (a.hash < b.hash ? -1 : 1));
      await this.em.execute(
        `insert into file_blobs (hash, size, content, created_at) values ${blobs.map(() => '(?, ?, ?, now())').join(', ')}
         on conflict (hash) do nothing`,
        blobs.flatMap((blob) => [blob.hash, blob.size, blob.bytes]),
      );
    }
    return encoded.map(({ path, hash, size }) => ({ path, hash, size }));
  }

  async saveVersion(input: SaveVersionInput): Promise<SavedVersion> {
    return this.em.transactional(async (tx) => {
      const projectId = this.project.id;
      const existing = input.idempotencyKey ? await findVersionByKey(tx, projectId, input.idempotencyKey) : null;
      if (existing) return { version: existing, files: await this.listFiles(existing) };

      const files = await this.withSizes(tx, input.files);
      assertValidFileSet(files);
      let number: number;
      try {
        number = await advanceCurrentVersion(tx, projectId, input.parentVersion);
      } catch (err) {
        // A retry racing its own first attempt loses the compare-and-set to it: answer with that version.
        const first = err instanceof AppError && err.code === ErrorCode.versionConflict && input.idempotencyKey
          ? await findVersionByKey(tx, projectId, input.idempotencyKey)
          : null;
        if (first) return { version: first, files: await this.listFiles(first) };
        throw err;
      }
      const version = await insertVersion(tx, {
        projectId,
        number,
        parentVersion: input.parentVersion,
        message: input.message,
        source: input.source,
        storageRef: treeHash(files),
        authorId: input.authorId,
        idempotencyKey: input.idempotencyKey ?? null,
      });
      if (files.length > 0) {
        await tx.execute(
          `insert into source_files (version_id, path, hash) values ${files.map(() => '(?, ?, ?)').join(', ')}`,
          files.flatMap((file) => [version.id, file.path, file.hash]),
        );
      }
      return { version, files: files.sort(byPath) };
    });
  }

  async listFiles(version: CodeVersion): Promise<FileEntry[]> {
    const rows = await this.em.execute<FileRow[]>(`select f.path, b.hash, b.size ${VERSION_TREE}`, [version.id]);
    return rows.sort(byPath);
  }

  async getFiles(version: CodeVersion): Promise<FileContent[]> {
    const rows = await this.em.execute<ContentRow[]>(`select f.path, b.hash, b.size, b.content ${VERSION_TREE}`, [version.id]);
    return rows.sort(byPath).map(toContent);
  }

  async getFile(version: CodeVersion, path: string): Promise<FileContent | undefined> {
    const [row] = await this.em.execute<ContentRow[]>(`select f.path, b.hash, b.size, b.content ${VERSION_TREE} and f.path = ?`, [version.id, path]);
    return row && toContent(row);
  }

  async diff(from: CodeVersion, to: CodeVersion): Promise<VersionDiffDto> {
    const changes = changedPaths(await this.listFiles(from), await this.listFiles(to));
    const contents = await readBlobs(this.em, changes.flatMap((change) => [change.oldHash, change.newHash]).filter((hash) => hash !== null));
    return { from: from.number, to: to.number, ...renderDiff(changes, contents) };
  }

  /** The entries of a tree given by hashes; a hash with no stored blob is the caller's mistake. */
  private async withSizes(em: EntityManager, files: SaveVersionInput['files']): Promise<FileRow[]> {
    const hashes = [...new Set(files.map((file) => file.hash))];
    const rows = hashes.length === 0 ? [] : await em.execute<Array<{ hash: string; size: number }>>('select hash, size from file_blobs where hash in (?)', [hashes]);
    const sizes = new Map(rows.map((row) => [row.hash, row.size]));
    return files.map(({ path, hash }) => {
      const size = sizes.get(hash);
      if (size === undefined) throw invalidInput(`No stored content with hash ${hash} (for ${describePath(path)}): store it with putFiles first`, { path, hash });
      return { path, hash, size };
    });
  }
}
