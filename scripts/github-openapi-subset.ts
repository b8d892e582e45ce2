// Extracts the GitHub REST operations Forge calls from GitHub's published OpenAPI description
// (npm package @octokit/openapi) into test/support/github-openapi.json, which the local GitHub
// server of the tests (test/support/fake-github.ts) checks every request against.
// The package unpacks to 385 MB, too much for every `npm ci`, so it is not a dependency. To update:
//   dir=$(mktemp -d) && npm install --prefix "$dir" --no-save @octokit/openapi@23.0.2 &&
//   node_modules/.bin/tsx scripts/github-openapi-subset.ts "$dir/node_modules"; rm -rf "$dir"
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `METHOD path` of every operation Forge's GitHub storage and the tests use. */
export const githubOperations = [
  'get /repos/{owner}/{repo}',
  'get /repos/{owner}/{repo}/git/ref/{ref}',
  'post /repos/{owner}/{repo}/git/refs',
  'patch /repos/{owner}/{repo}/git/refs/{ref}',
  'get /repos/{owner}/{repo}/git/commits/{commit_sha}',
  'post /repos/{owner}/{repo}/git/commits',
  'get /repos/{owner}/{repo}/git/trees/{tree_sha}',
  'post /repos/{owner}/{repo}/git/trees',
  'get /repos/{owner}/{repo}/git/blobs/{file_sha}',
  'post /repos/{owner}/{repo}/git/blobs',
  'get /repos/{owner}/{repo}/commits',
  'post /repos/{owner}/{repo}/pulls',
  'get /repos/{owner}/{repo}/installation',
  'post /app/installations/{installation_id}/access_tokens',
];

/** Keeps what validation needs (parameters, request body schema); descriptions and examples go. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !['description', 'examples', 'example', 'externalDocs'].includes(k)).map(([k, v]) => [k, strip(v)]));
}

const root = process.argv[2] ?? 'node_modules';
const pkgDir = join(root, '@octokit/openapi');
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version as string;
const spec = JSON.parse(readFileSync(join(pkgDir, 'generated/api.github.com.deref.json'), 'utf8'));
const paths: Record<string, Record<string, unknown>> = {};
for (const op of githubOperations) {
  const [method, path] = op.split(' ') as [string, string];
  const operation = spec.paths[path]?.[method];
  if (!operation) throw new Error(`${op} is not in GitHub's OpenAPI description ${version}`);
  const { parameters, requestBody, operationId } = operation;
  (paths[path] ??= {})[method] = strip({ operationId, parameters, requestBody });
}
const out = { source: `@octokit/openapi@${version} generated/api.github.com.deref.json`, openapi: spec.openapi, paths };
writeFileSync('test/support/github-openapi.json', `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote test/support/github-openapi.json: ${githubOperations.length} operations from @octokit/openapi@${version}`);
