import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** Columns every entity shares: a uuid primary key and its creation time. */
export const baseProperties = {
  id: p.uuid().primary().onCreate(() => randomUUID()),
  createdAt: p.datetime().onCreate(() => new Date()),
};
