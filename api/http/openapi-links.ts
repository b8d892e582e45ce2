import type { RouteDef } from './route';

/** A readable, unique operationId: `post /projects/:projectId/versions` -> `postProjectsByProjectIdVersions`. */
export function operationIdOf(route: Pick<RouteDef, 'method' | 'path'>): string {
  const words = route.path.split('/').filter(Boolean).map((segment) => {
    const param = /^[:*](\w+)$/.exec(segment);
    const word = param ? `by-${param[1]}` : segment;
    return word.replace(/(^|[-_.])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
  });
  return route.method + words.join('');
}

const pathParams = (path: string) => [...path.matchAll(/[:*](\w+)/g)].map((m) => m[1]!);

/**
 * OpenAPI links from an operation that creates an id to every operation that takes it (the route
 * table's `creates`): the new id comes from the answer, the target's other path parameters from
 * the source's own path (a version's `projectId`). A fuzzer or client can walk the API with them.
 */
export function linksOf(route: RouteDef, routes: RouteDef[]): Record<string, object> | undefined {
  const creates = route.creates;
  if (!creates) return undefined;
  const own = new Set(pathParams(route.path));
  const links: Record<string, object> = {};
  for (const target of routes) {
    if (target === route || !target.path.startsWith(creates.under)) continue;
    const params = pathParams(target.path);
    // Only targets whose every path parameter is known after this call.
    if (!params.every((p) => p === creates.param || own.has(p))) continue;
    const parameters = Object.fromEntries(params.map((p) => [p, p === creates.param ? `$response.body#${creates.pointer}` : `$request.path.${p}`]));
    links[operationIdOf(target)] = { operationId: operationIdOf(target), parameters };
  }
  return Object.keys(links).length > 0 ? links : undefined;
}
