import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    ...baseProperties,
    name: p.string(),
  },
});
export type Organization = InferEntity<typeof Organization>;
