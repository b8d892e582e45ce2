import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/paths';
import { ForgeJobType, ForgeOrgId, ForgeProjectId, ForgeSessionId } from '../../workflows/search-attributes';
import { ForgeJobTypes, searchAttributesOf } from '../../workflows/workflow-search-attributes';

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('search attributes of each workflow kind', () => {
  it('keeps the released ForgeJobType words (operators and the project deletion query them)', () => {
    expect(ForgeJobTypes).toEqual({
      session: 'session',
      codegen: 'codegen',
      preview: 'preview',
      deploy: 'deploy',
      projectDeletion: 'project-deletion',
      githubImport: 'github-import',
      githubCommit: 'github-commit',
    });
  });

  it('tags session-scoped kinds with the session and project-scoped kinds with the project', () => {
    const ids = { organizationId: 'o1', projectId: 'p1', sessionId: 's1', jobId: 'ignored' };
    expect(searchAttributesOf.codegenJob(ids)).toEqual([
      { key: ForgeOrgId, value: 'o1' },
      { key: ForgeProjectId, value: 'p1' },
      { key: ForgeSessionId, value: 's1' },
      { key: ForgeJobType, value: 'codegen' },
    ]);
    expect(searchAttributesOf.deploy(ids)).toEqual([
      { key: ForgeOrgId, value: 'o1' },
      { key: ForgeProjectId, value: 'p1' },
      { key: ForgeJobType, value: 'deploy' },
    ]);
  });

  it('is the only place that writes a ForgeJobType pair', () => {
    const handBuilt = ['api', 'activities', 'workflows']
      .flatMap((dir) => sourceFiles(join(repoRoot, dir)))
      .filter((file) => /key: ForgeJobType\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file));
    expect(handBuilt).toEqual(['workflows/workflow-search-attributes.ts']);
  });
});
