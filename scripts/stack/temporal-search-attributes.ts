import { encodeSearchAttributeIndexedValueType, type SearchAttributeKey, type SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import * as forgeAttributes from '../../workflows/search-attributes';

/** Every custom search attribute the workflows declare (workflows/search-attributes.ts is the one list). */
export const searchAttributes: SearchAttributeKey<SearchAttributeType>[] = Object.values(forgeAttributes);

/** The type names the Temporal CLI and docker's admin-tools take (`--type Keyword`). */
const cliTypeNames: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `--search-attribute ForgeOrgId=Keyword ...` for `temporal server start-dev`. */
export const startDevSearchAttributeFlags = (): string[] =>
  searchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeNames[key.type]}`]);

export const cliTypeName = (type: SearchAttributeType) => cliTypeNames[type];

/**
 * Registers whichever of our search attributes the namespace lacks: a reused server may have been
 * started without them. Also proves the frontend answers gRPC, not just TCP.
 */
export async function registerSearchAttributes(address: string, namespace = 'default'): Promise<string[]> {
  // Loaded on first use, so the dev server is already booting while the gRPC client loads.
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributes.filter((key) => !customAttributes?.[key.name]);
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
      });
    }
    return missing.map((key) => key.name);
  } finally {
    await connection.close();
  }
}
