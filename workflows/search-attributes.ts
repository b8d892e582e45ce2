import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes (registered by the dev stack and docker-compose), so operators filter jobs in the UI. */
export const ForgeOrgId = defineSearchAttributeKey('ForgeOrgId', SearchAttributeType.KEYWORD);
export const ForgeProjectId = defineSearchAttributeKey('ForgeProjectId', SearchAttributeType.KEYWORD);
export const ForgeSessionId = defineSearchAttributeKey('ForgeSessionId', SearchAttributeType.KEYWORD);
export const ForgeJobType = defineSearchAttributeKey('ForgeJobType', SearchAttributeType.KEYWORD);
export const ForgeStage = defineSearchAttributeKey('ForgeStage', SearchAttributeType.KEYWORD);
