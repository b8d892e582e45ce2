import { createHmac, randomUUID } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { BareGitRepo } from './bare-git-repo';
import { sendJson, startFakeServer, type Fault, type FakeServer } from './fake-http';
import { checkRequest } from './github-openapi-check';

/**
 * GitHub's REST API for the endpoints Forge uses (repository, Git Data API, commits, pulls, app
 * installations), on top of a real bare git repository per `owner/name`. Every request is checked
 * against GitHub's published OpenAPI description first (a request that breaks it is answered 422
 * and listed in `violations`, so the server cannot drift into Forge's own assumptions). Accepts a
 * fine-grained token, or a GitHub App's RS256 JWT (checked with the app's public key) for
 * installation lookups and installation tokens. `deliver` posts a webhook signed as GitHub signs.
 */
export interface FakeGithub extends FakeServer {
  token: string;
  repos: Map<string, BareGitRepo>;
  requests: Array<{ method: string; path: string; operationId: string | null }>;
  violations: string[];
  pulls: Array<{ repo: string; number: number; head: string; base: string; title: string; url: string }>;
  /** Creates `owner/name` (an empty bare repository). */
  repo: (fullName: string) => BareGitRepo;
  fail: (prefix: string, fault: Omit<Fault, 'times'> & { times?: number }) => void;
  /** Sends a webhook as GitHub does: X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 over the exact body. */
  deliver: (url: string, secret: string | null, event: string, payload: unknown, deliveryId?: string) => Promise<Response>;
}

const INSTALLATION_ID = 4242;

export async function startFakeGithub(options: { appPublicKey?: string; appId?: number } = {}): Promise<FakeGithub> {
  const token = `github_pat_${randomUUID().replace(/-/g, '')}`;
  const installationTokens = new Set<string>();
  const faults: Array<{ prefix: string } & Fault> = [];
  const appKey = options.appPublicKey ? await importSPKI(options.appPublicKey, 'RS256') : null;
  const fake: Omit<FakeGithub, keyof FakeServer> = {
    token,
    repos: new Map(),
    requests: [],
    violations: [],
    pulls: [],
    repo: (fullName) => {
      const repo = new BareGitRepo();
      fake.repos.set(fullName.toLowerCase(), repo);
      return repo;
    },
    fail: (prefix, fault) => void faults.push({ prefix, times: 1, ...fault }),
    deliver: (url, secret, event, payload, deliveryId = randomUUID()) => {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': deliveryId, 'user-agent': 'GitHub-Hookshot/fake' };
      if (secret !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      return fetch(url, { method: 'POST', headers, body });
    },
  };
  const appJwtValid = async (jwt: string) => {
    if (!appKey) return false;
    try {
      const { payload } = await jwtVerify(jwt, appKey, { algorithms: ['RS256'] });
      return String(payload.iss) === String(options.appId);
    } catch {
      return false;
    }
  };

  const server = await startFakeServer(async (req, raw, res) => {
    const url = new URL(req.url ?? '/', 'http://github');
    const body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    const checked = checkRequest(req.method!, url.pathname, url.searchParams, body);
    fake.requests.push({ method: req.method!, path: url.pathname, operationId: checked.operationId });
    if (checked.problems.length) {
      fake.violations.push(...checked.problems.map((p) => `${req.method} ${url.pathname}: ${p}`));
      return sendJson(res, checked.operationId ? 422 : 404, { message: checked.problems.join('; '), documentation_url: 'https://docs.github.com/rest' });
    }
    const fault = faults.find((f) => `${req.method} ${url.pathname}`.startsWith(f.prefix) && f.times > 0);
    if (fault) {
      fault.times -= 1;
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    const credential = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const params = (checked as { params: Record<string, string> }).params;
    const op = checked.operationId!;
    if (op === 'apps/get-repo-installation' || op === 'apps/create-installation-access-token') {
      if (!(await appJwtValid(credential))) return sendJson(res, 401, { message: 'A JSON web token could not be decoded' });
      if (op === 'apps/get-repo-installation') return sendJson(res, 200, { id: INSTALLATION_ID, app_id: options.appId });
      const issued = `ghs_${randomUUID().replace(/-/g, '')}`;
      installationTokens.add(issued);
      return sendJson(res, 201, { token: issued, expires_at: new Date(Date.now() + 3600_000).toISOString() });
    }
    if (credential !== token && !installationTokens.has(credential)) return sendJson(res, 401, { message: 'Bad credentials' });
    const repo = fake.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
    if (!repo) return sendJson(res, 404, { message: 'Not Found' });
    return answerGit(op, params, body, url.searchParams, repo, res, (pull) => {
      const number = fake.pulls.length + 1;
      const html = `https://github.com/${params.owner}/${params.repo}/pull/${number}`;
      fake.pulls.push({ repo: `${params.owner}/${params.repo}`, number, ...pull, url: html });
      return { number, html_url: html };
    });
  });
  return Object.assign(fake, server);
}

type Res = Parameters<typeof sendJson>[0];

function answerGit(op: string, params: Record<string, string>, body: any, query: URLSearchParams, repo: BareGitRepo, res: Res, openPull: (p: { head: string; base: string; title: string }) => object): void {
  const exists = (sha: string) => { try { repo.git(['cat-file', '-e', sha]); return true; } catch { return false; } };
  const branchOf = (ref: string) => ref.replace(/^refs\//, '').replace(/^heads\//, '');
  switch (op) {
    case 'repos/get':
      return sendJson(res, 200, { full_name: `${params.owner}/${params.repo}`, default_branch: 'main', private: true });
    case 'git/get-ref': {
      const sha = repo.head(branchOf(params.ref!));
      return sha ? sendJson(res, 200, { ref: `refs/heads/${branchOf(params.ref!)}`, object: { sha, type: 'commit' } }) : sendJson(res, 404, { message: 'Not Found' });
    }
    case 'git/create-ref': {
      if (repo.head(branchOf(body.ref))) return sendJson(res, 422, { message: 'Reference already exists' });
      if (!exists(body.sha)) return sendJson(res, 422, { message: 'Object does not exist' });
      repo.git(['update-ref', body.ref, body.sha]);
      return sendJson(res, 201, { ref: body.ref, object: { sha: body.sha, type: 'commit' } });
    }
    case 'git/update-ref': {
      const branch = branchOf(params.ref!);
      const old = repo.head(branch);
      if (!old) return sendJson(res, 422, { message: 'Reference does not exist' });
      try { repo.git(['merge-base', '--is-ancestor', old, body.sha]); } catch { if (!body.force) return sendJson(res, 422, { message: 'Update is not a fast forward' }); }
      repo.git(['update-ref', `refs/heads/${branch}`, body.sha, old]);
      return sendJson(res, 200, { ref: `refs/heads/${branch}`, object: { sha: body.sha, type: 'commit' } });
    }
    case 'git/get-commit': {
      if (!exists(params.commit_sha!)) return sendJson(res, 404, { message: 'Not Found' });
      const text = repo.git(['cat-file', 'commit', params.commit_sha!]);
      const [head, ...rest] = text.split('\n\n');
      const tree = /^tree (\w+)/m.exec(head!)![1];
      const parents = [...head!.matchAll(/^parent (\w+)/gm)].map((m) => ({ sha: m[1] }));
      return sendJson(res, 200, { sha: params.commit_sha, tree: { sha: tree }, parents, message: rest.join('\n\n').replace(/\n$/, '') });
    }
    case 'git/create-commit': {
      if (!exists(body.tree)) return sendJson(res, 422, { message: 'Tree SHA does not exist' });
      const sha = repo.commit(body.tree, body.parents ?? [], body.message);
      return sendJson(res, 201, { sha, tree: { sha: body.tree }, parents: (body.parents ?? []).map((p: string) => ({ sha: p })), message: body.message });
    }
    case 'git/get-tree': {
      if (!exists(params.tree_sha!)) return sendJson(res, 404, { message: 'Not Found' });
      // -z: paths as they are (git would quote unusual ones), NUL-terminated.
      const args = query.get('recursive') ? ['ls-tree', '-z', '-r', '-t', '-l', params.tree_sha!] : ['ls-tree', '-z', '-l', params.tree_sha!];
      const tree = repo.git(args).split('\0').filter(Boolean).map((line) => {
        const [meta, path] = line.split('\t');
        const [mode, type, sha, size] = meta!.split(/\s+/);
        return { path, mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}) };
      });
      return sendJson(res, 200, { sha: params.tree_sha, tree, truncated: false });
    }
    case 'git/create-tree': {
      if (body.base_tree && !exists(body.base_tree)) return sendJson(res, 422, { message: 'base_tree does not exist' });
      const entries = body.tree.map((e: { path: string; mode: string; sha?: string | null; content?: string }) => ({
        path: e.path,
        mode: e.mode,
        sha: e.content !== undefined ? repo.writeBlob(Buffer.from(e.content, 'utf8')) : (e.sha ?? null),
      }));
      return sendJson(res, 201, { sha: repo.writeTree(body.base_tree ?? null, entries), truncated: false });
    }
    case 'git/get-blob': {
      if (!exists(params.file_sha!)) return sendJson(res, 404, { message: 'Not Found' });
      const content = repo.git(['cat-file', 'blob', params.file_sha!]);
      return sendJson(res, 200, { sha: params.file_sha, size: Buffer.byteLength(content), content: Buffer.from(content).toString('base64'), encoding: 'base64' });
    }
    case 'git/create-blob': {
      const sha = repo.writeBlob(Buffer.from(body.content, body.encoding === 'base64' ? 'base64' : 'utf8'));
      return sendJson(res, 201, { sha, url: `/git/blobs/${sha}` });
    }
    case 'repos/list-commits': {
      const ref = query.get('sha') ?? 'main';
      if (!repo.head(ref)) return sendJson(res, 404, { message: 'Not Found' });
      const log = repo.git(['log', `--max-count=${query.get('per_page') ?? 30}`, '--format=%H%x00%B%x1e', `refs/heads/${ref}`]);
      const commits = log.split('\x1e').map((s) => s.trim()).filter(Boolean).map((entry) => {
        const [sha, message] = entry.split('\0');
        return { sha, commit: { message: message!.trim() } };
      });
      return sendJson(res, 200, commits);
    }
    case 'pulls/create':
      if (!repo.head(body.head) || !repo.head(body.base)) return sendJson(res, 422, { message: 'Validation Failed' });
      return sendJson(res, 201, openPull({ head: body.head, base: body.base, title: body.title }));
    default:
      return sendJson(res, 404, { message: `The fake does not implement ${op}` });
  }
}
