import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

/**
 * Checks a request against GitHub's published OpenAPI description (the operations Forge uses,
 * extracted from @octokit/openapi by scripts/github-openapi-subset.ts): the path and method must be
 * an operation, required parameters present, query values of the declared types, and the body
 * valid against the operation's JSON schema. Answers the problems; none means valid.
 */
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: { type?: string } };
type Operation = { operationId: string; parameters?: Parameter[]; requestBody?: { required?: boolean; content: Record<string, { schema: object }> } };

const spec = JSON.parse(readFileSync(new URL('./github-openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>> };
// Formats (date-time, int64, GitHub's own) are not checked: types, required fields and enums are.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const routes = Object.entries(spec.paths).flatMap(([template, methods]) =>
  Object.entries(methods).map(([method, operation]) => {
    const names: string[] = [];
    // A git ref may hold slashes (heads/main): its parameter takes the rest of the path.
    const pattern = template.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), name === 'ref' ? '(.+)' : '([^/]+)'));
    const body = operation.requestBody?.content['application/json']?.schema;
    return { method, template, regex: new RegExp(`^${pattern}$`), names, operation, validate: body ? ajv.compile(body) : undefined };
  }),
);

export interface MatchedOperation {
  operationId: string;
  params: Record<string, string>;
  problems: string[];
}

export function checkRequest(method: string, path: string, query: URLSearchParams, body: unknown): MatchedOperation | { operationId: null; problems: string[] } {
  for (const route of routes) {
    const match = route.method === method.toLowerCase() ? route.regex.exec(path) : null;
    if (!match) continue;
    const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    const problems: string[] = [];
    for (const p of route.operation.parameters ?? []) {
      if (p.in !== 'query') continue;
      const value = query.get(p.name);
      if (value === null) {
        if (p.required) problems.push(`query ${p.name} is required`);
      } else if (p.schema?.type === 'integer' && !/^\d+$/.test(value)) problems.push(`query ${p.name} must be an integer`);
    }
    if (route.validate && !route.validate(body ?? {})) problems.push(...(route.validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message}`));
    if (!route.validate && body !== undefined && method !== 'GET') problems.push('this operation takes no body');
    return { operationId: route.operation.operationId, params, problems };
  }
  return { operationId: null, problems: [`${method} ${path} is not an operation of GitHub's REST API that Forge uses`] };
}
