import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentJob } from '../../db/entities/index';
import { emptyUsage } from '../../domain/agents';
import { taskQueues } from '../../domain/task-queues';
import { arbitraryOf, evilStrings, type Schema } from '../support/openapi-fuzz/schema-arbitrary';
import { responseValidator, type Operation } from '../support/openapi-fuzz/response-validator';
import { generatedApp } from '../support/app-fixtures';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// A property-based fuzz of every operation of the served OpenAPI document, as a signed-in admin,
// against the real API, PostgreSQL and Temporal: no 5xx, and every answer has a documented status
// and matches its documented schema. Real ids come from walking the document's links after the
// creating operations; the rest are unknown ids, int4 edges, odd Unicode and huge strings.
//
// No worker polls this file's task queues (its workflows never run, and are terminated at the
// end), so an update that waits on a workflow can only time out: 503 `temporal_unavailable` is
// the documented answer there, and only there.
// FUZZ_RUNS raises it for a deeper run by hand (`FUZZ_RUNS=200 npm test -- test/integration/openapi-fuzz.test.ts`).
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 20);
// A fixed seed keeps the suite's run reproducible; FUZZ_SEED=random (or a number) explores further.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261203);
const waitsOnWorker = new Set(['putProjectsByProjectIdStorage', 'postSessionsBySessionIdMessages', 'postJobsByJobIdApprove', 'postJobsByJobIdReject', 'postJobsByJobIdAnswer', 'postPreviewsByIdExtend', 'deletePreviewsById']);

interface Parameter { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }
interface Link { operationId: string; parameters: Record<string, string> }
type Op = Operation & { operationId: string; parameters: Parameter[]; requestBody?: { required: boolean; content: { 'application/json': { schema: Schema } } } };
interface Endpoint { method: string; path: string; op: Op }

const prefix = `fuzz-${randomUUID().slice(0, 8)}-`;
let app: TestApp;
let doc: Record<string, any>;
let endpoints: Endpoint[];
let token: string;
/** Known good values per (operationId, parameter), filled by following links; `*` for every operation. */
const known = new Map<string, unknown[]>();
const remember = (opId: string, param: string, value: unknown) => known.set(`${opId}:${param}`, [...(known.get(`${opId}:${param}`) ?? []), value]);

/** encodeURIComponent, except that a lone surrogate goes as its WTF-8 bytes (which the server must refuse, not crash on). */
const encode = (value: string) =>
  [...value].map((c) => (/[\ud800-\udfff]/.test(c) ? [0xe0 | (c.charCodeAt(0) >> 12), 0x80 | ((c.charCodeAt(0) >> 6) & 0x3f), 0x80 | (c.charCodeAt(0) & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('') : encodeURIComponent(c))).join('');

async function send(e: Endpoint, path: Record<string, unknown>, query: Record<string, unknown>, headers: Record<string, string>, body: unknown) {
  let url = `/api/v1${e.path}`.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = String(path[name]);
    return name === 'path' ? value.split('/').map(encode).join('/') : encode(value);
  });
  const search = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encode(String(v))}`);
  if (search.length > 0) url += `?${search.join('&')}`;
  const res = await fetch(app.baseUrl.replace(/\/api\/v1$/, '') + url, {
    method: e.method.toUpperCase(),
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = text === '' ? undefined : text;
  try { parsed = text === '' ? undefined : JSON.parse(text); } catch { /* checked against the schema as text */ }
  return { status: res.status, body: parsed };
}

/** Calls a creating operation with a valid request and records the ids its links hand on. */
async function create(opId: string, path: Record<string, unknown>, body: unknown) {
  const e = endpoints.find((x) => x.op.operationId === opId)!;
  const res = await send(e, path, {}, {}, body);
  expect(res.status, `${opId}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  for (const response of Object.values(e.op.responses) as Array<{ links?: Record<string, Link> }>) {
    for (const link of Object.values(response.links ?? {})) {
      for (const [param, expression] of Object.entries(link.parameters)) {
        const value = expression.startsWith('$request.path.') ? path[expression.slice(14)] : pointer(res.body, expression.replace('$response.body#', ''));
        remember(link.operationId, param, value);
      }
    }
  }
  return res.body as Record<string, any>;
}
const pointer = (value: unknown, at: string) => at.split('/').slice(1).reduce<any>((v, key) => v?.[key], value);

beforeAll(async () => {
  // Configured like production (secrets set), so no answer is a 503 for a missing setting.
  app = await startTestApp({
    TEMPORAL_TASK_QUEUE_PREFIX: prefix, TEMPORAL_WAIT_TIMEOUT_MS: '800', TEMPORAL_RPC_TIMEOUT_MS: '3000', AUTH_RATE_LIMIT: '100000',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'), GITHUB_WEBHOOK_SECRET: randomUUID(),
  });
  doc = (await app.call('GET', '/openapi.json')).body;
  endpoints = Object.entries<Record<string, Op>>(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path: path.replace('/api/v1', ''), op })));
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  token = m.admin.token;
  remember('*', 'orgId', m.orgId);
  remember('*', 'userId', m.editor.userId);

  // The world the links lead through: a project with a version, a session, an invite, a preview.
  const project = await create('postOrgsByOrgIdProjects', { orgId: m.orgId }, { name: 'Fuzzed' });
  const version = await create('postProjectsByProjectIdVersions', { projectId: project.id }, { parentVersion: null, message: 'v1', files: generatedApp('fuzz') });
  await create('postProjectsByProjectIdSessions', { projectId: project.id }, {});
  await create('postOrgsByOrgIdInvites', { orgId: m.orgId }, { email: `fuzz-${randomUUID()}@example.test`, role: 'viewer' });
  await create('postProjectsByProjectIdPreviews', { projectId: project.id }, { version: version.number });
  await create('postProjectsByProjectIdDeployments', { projectId: project.id }, { version: version.number });
  remember('*', 'projectId', project.id);
  remember('*', 'path', 'src/App.tsx');
  remember('*', 'a', version.number);
  remember('*', 'b', version.number);
  remember('*', 'topic', `project:${project.id}`);
  // A job row without its workflow (no worker runs here): job commands get past their lookups.
  const em = app.deps.orm.em.fork();
  const sessionId = (known.get('getSessionsBySessionId:sessionId') as string[])[0]!;
  const job = em.create(AgentJob, { organizationId: m.orgId, projectId: project.id, sessionId, actorId: m.editor.userId, content: 'x', status: 'failed', usage: emptyUsage() });
  await em.flush();
  remember('*', 'jobId', job.id);
}, 60_000);

afterAll(async () => {
  const queues = taskQueues(prefix);
  for await (const wf of app.deps.temporal.workflow.list({ query: `TaskQueue = "${queues.agents}" OR TaskQueue = "${queues.builds}"` })) {
    if (wf.status.name === 'RUNNING') await app.deps.temporal.workflow.getHandle(wf.workflowId, wf.runId).terminate('fuzz over').catch(() => {});
  }
  await app?.close();
});

/** An arbitrary request for one operation: known ids most of the time for path parameters. */
function requestOf(e: Endpoint) {
  const part = (where: Parameter['in']) => fc.record(Object.fromEntries(e.op.parameters.filter((p) => p.in === where).map((p) => {
    const good = known.get(`${e.op.operationId}:${p.name}`) ?? known.get(`*:${p.name}`) ?? [];
    // Huge strings go in bodies only: Node itself refuses a URL or header past 16 kB (431, no body).
    const short = arbitraryOf(p.schema).filter((v) => String(v).length < 4_000);
    // An empty path parameter makes another URL (`/versions/` is the list): not this operation.
    const odd = where === 'path' ? fc.oneof(short, fc.constantFrom(...evilStrings.filter((s) => s.length < 1_000))).filter((v) => String(v) !== '') : short;
    const value = good.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 3 }, { arbitrary: odd, weight: 1 }) : odd;
    return [p.name, where === 'path' ? value : fc.option(value, { nil: undefined })];
  })));
  const bodySchema = e.op.requestBody?.content['application/json'].schema;
  const body = bodySchema ? (e.op.requestBody!.required ? arbitraryOf(bodySchema) : fc.option(arbitraryOf(bodySchema), { nil: undefined })) : fc.constant(undefined);
  return fc.record({ path: part('path'), query: part('query'), headers: part('header'), body });
}

it('answers every operation of the document without a 5xx, with a documented status and body', async () => {
  const check = responseValidator(doc);
  const failures: string[] = [];
  // Deletions last, so the world the other operations reach stays in place.
  const ordered = [...endpoints.filter((e) => e.method !== 'delete'), ...endpoints.filter((e) => e.method === 'delete')];
  let problem: string | undefined;
  for (const e of ordered) {
    if (e.op.operationId === 'postAuthLogout') continue; // public; covered by the auth suite
    await fc.assert(
      fc.asyncProperty(requestOf(e), async (req) => {
        // A header carries bytes (Latin-1), without line breaks: fetch refuses anything else before sending.
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v).replace(/[^\x20-\x7e\x80-\xff]/g, '')]));
        const res = await send(e, req.path, req.query, headers, req.body);
        const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
        const expectedOutage = res.status === 503 && code === 'temporal_unavailable' && waitsOnWorker.has(e.op.operationId);
        const found = res.status >= 500 && !expectedOutage ? `answered ${res.status} ${code ?? ''}` : check(e.op, res.status, res.body);
        problem = found && `${e.method.toUpperCase()} ${e.path}: ${found}\n  request ${JSON.stringify(req).slice(0, 400)}\n  answer ${JSON.stringify(res.body).slice(0, 300)}`;
        if (problem) throw new Error(problem);
      }),
      { numRuns: RUNS_PER_OPERATION, endOnFailure: true, seed: SEED + ordered.indexOf(e) },
    ).catch((err: Error) => failures.push(problem ?? `${e.method.toUpperCase()} ${e.path}: ${err.message.slice(0, 300)}`));
  }
  expect(failures).toEqual([]);
}, 600_000);
