import { Cursor } from '@mikro-orm/core';
import type { z } from 'zod';
import { invalidInput } from '../../domain/errors';
import type { Page, PageQuery } from '../../domain/pagination';

/**
 * MikroORM's cursor cannot be trusted as it arrives: a client can send any base64. Check that it
 * decodes to the ordering's value types (`shape`) so a forged cursor is a 400, not an SQL error.
 */
function checkedCursor(cursor: string, shape: z.ZodType): string {
  let decoded: unknown;
  try {
    decoded = Cursor.decode(cursor);
  } catch {
    decoded = undefined;
  }
  if (!shape.safeParse(decoded).success) throw invalidInput('Invalid cursor');
  return cursor;
}

type CursorWindow = { first: number; after?: string; includeCount: false };

/**
 * Keyset pagination over `em.findByCursor`: `find` runs the query with the window it is given, and
 * its `orderBy` must end with a unique column so pages never overlap or skip rows.
 */
export async function findPage<T extends object>(
  page: PageQuery,
  cursorShape: z.ZodType,
  find: (window: CursorWindow) => Promise<Cursor<T, any, any, any, false>>,
): Promise<Page<T>> {
  const window: CursorWindow = { first: page.limit, includeCount: false };
  if (page.cursor !== undefined) window.after = checkedCursor(page.cursor, cursorShape);
  const found = await find(window);
  const nextCursor = found.hasNextPage ? found.endCursor : null;
  return { items: [...found.items] as T[], ...(nextCursor ? { nextCursor } : {}) };
}
