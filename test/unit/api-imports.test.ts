import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/paths';

/**
 * The API talks to workflows through their contracts (update, signal and query definitions,
 * search attributes) and type-only imports, never by loading a workflow body: that would pull
 * workflow code (and its activity proxies) into the API process and couple its deploys to them.
 */
const contractModules = /workflows\/(?:[\w/]*-signals|search-attributes|workflow-search-attributes)$/;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('api/ imports of workflows/', () => {
  const imports = sourceFiles(join(repoRoot, 'api')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^import (type )?[^;]*? from '([^']*workflows\/[^']*)';/gm)]
      .map((m) => ({ file: relative(repoRoot, file), typeOnly: Boolean(m[1]), module: m[2]!.replace(/^(\.\.\/)+/, '') })));

  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(3);
  });

  it('loads only contract modules; workflow bodies are imported as types', () => {
    expect(imports.filter((i) => !i.typeOnly && !contractModules.test(i.module))).toEqual([]);
  });
});
