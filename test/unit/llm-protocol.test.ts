import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWholeFiles } from '../../domain/llm-edit-format';
import {
  buildCoderMessages,
  buildFixerMessages,
  buildPlannerMessages,
  buildRetryMessages,
  buildRouterMessages,
  readFields,
  readSection,
} from '../../domain/llm-prompts';
import { generatedAppPackages, Plan, readRoleMarker, structuredOutputs, withRoleMarker } from '../../domain/llm-protocol';

// The contract between prompts and models: the role marker, the sections, the structured-output
// schemas (strict-mode shape) and the package set the compile check provides.

describe('role marker', () => {
  it('is read from the first system message and added where missing', () => {
    expect(readRoleMarker(buildCoderMessages({ request: 'x', plan: { summary: 's', message: 'm', files: [{ path: 'a.ts', action: 'create', why: 'w' }] }, task: { action: 'create', path: 'a.ts', format: 'whole_file', why: 'w' }, files: [] }))).toBe('coder');
    expect(readRoleMarker([{ role: 'user', content: '[forge:coder] not a system message' }])).toBeUndefined();
    expect(withRoleMarker('fixer', [{ role: 'user', content: 'hi' }])).toEqual([{ role: 'system', content: '[forge:fixer]' }, { role: 'user', content: 'hi' }]);
    expect(withRoleMarker('router', [{ role: 'system', content: 'Route it.' }])).toEqual([{ role: 'system', content: '[forge:router] Route it.' }]);
    const marked = buildRouterMessages({ request: 'a todo app please', filePaths: [] });
    expect(withRoleMarker('router', marked)).toEqual(marked);
  });
});

describe('prompt sections', () => {
  it('carry file contents intact even when a file contains a closing tag', () => {
    const content = 'const s = "</files>";\n';
    const [, user] = buildPlannerMessages({ request: 'change it', intent: { kind: 'edit', summary: 'Edit' }, files: [{ path: 'src/a.ts', content }], feedback: 'smaller please' });
    expect(parseWholeFiles(readSection(user!.content, 'files')!)).toEqual([{ path: 'src/a.ts', content }]);
    expect(readFields(readSection(user!.content, 'intent')!)).toEqual({ kind: 'edit', summary: 'Edit' });
    expect(readSection(user!.content, 'feedback')).toBe('smaller please');
    expect(readSection(user!.content, 'diagnostics')).toBeUndefined();
  });

  it('put diagnostics in tsc line format and a retry after the failed reply', () => {
    const messages = buildFixerMessages({
      diagnostics: [
        { file: 'src/App.tsx', line: 3, column: 7, code: 2304, message: "Cannot find name 'useState'." },
        { file: null, line: 0, column: 0, code: 2688, message: "Cannot find type definition file for 'vite/client'." },
      ],
      files: [],
      format: 'edit_blocks',
    });
    expect(readSection(messages[1]!.content, 'diagnostics')).toBe(
      "src/App.tsx(3,7): error TS2304: Cannot find name 'useState'.\nerror TS2688: Cannot find type definition file for 'vite/client'.",
    );
    const retry = buildRetryMessages(messages, 'bad reply', [{ path: 'src/App.tsx', search: 'x', reason: 'not_found' }], { format: 'whole_file' });
    expect(retry.slice(0, 2)).toEqual(messages);
    expect(retry[2]).toEqual({ role: 'assistant', content: 'bad reply' });
    expect(readSection(retry[3]!.content, 'edit_error')).toContain('src/App.tsx: the SEARCH lines do not appear in the file');
    expect(readFields(readSection(retry[3]!.content, 'task')!)).toEqual({ format: 'whole_file' });
  });
});

describe('structured outputs', () => {
  it('have strict-mode JSON schemas: no extra keys and every property required', () => {
    for (const output of Object.values(structuredOutputs)) {
      const schema = output.json as { type: string; properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect([...schema.required].sort()).toEqual(Object.keys(schema.properties).sort());
      expect(output.json).not.toHaveProperty('$schema');
    }
  });

  it('hold a plan to real, relative paths and at least one file', () => {
    const plan = { summary: 's', message: 'm', files: [{ path: 'src/App.tsx', action: 'update', why: 'w' }] };
    expect(Plan.safeParse(plan).success).toBe(true);
    expect(Plan.safeParse({ ...plan, files: [] }).success).toBe(false);
    expect(Plan.safeParse({ ...plan, files: [{ ...plan.files[0], path: '../outside.ts' }] }).success).toBe(false);
    expect(Plan.safeParse({ ...plan, files: [{ ...plan.files[0], action: 'rename' }] }).success).toBe(false);
  });
});

it('names exactly the packages the compile check installs', () => {
  const toolchain = JSON.parse(readFileSync(new URL('../../activities/codegen/toolchain/package.json', import.meta.url), 'utf8'));
  expect(generatedAppPackages).toEqual({ dependencies: toolchain.dependencies, devDependencies: toolchain.devDependencies });
});
