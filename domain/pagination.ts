import { z } from 'zod';

/** Query of every cursor-paginated list: `?cursor=<opaque>&limit=N`. */
export const PageQuery = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** Every list answers `{ items, nextCursor? }`; `nextCursor` is absent on the last page. */
export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
export type Page<T> = { items: T[]; nextCursor?: string };
