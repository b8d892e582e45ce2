import { describe, expect, it } from 'vitest';
import { applyEditBlocks, type EditBlock } from '../../domain/llm-edit-format';

// The codegen "generate" stage relies on these rules: every SEARCH must match exactly one place
// (exact first, then ignoring trailing whitespace), edits apply all or nothing, and the input is
// never mutated, so a failed dry run can be re-asked against the same files.

const app = ['import { useState } from "react";', '', 'export function App() {', '  const [n, setN] = useState(0);', '  return <p>{n}</p>;', '}', ''].join('\n');
const edit = (search: string, replace: string, path = 'src/App.tsx'): EditBlock => ({ path, search, replace });

describe('applyEditBlocks', () => {
  it('replaces the one place a SEARCH matches and reports the changed file', () => {
    const result = applyEditBlocks({ 'src/App.tsx': app }, [edit('  return <p>{n}</p>;', '  return <button onClick={() => setN(n + 1)}>{n}</button>;')]);
    expect(result).toEqual({
      ok: true,
      files: { 'src/App.tsx': app.replace('<p>{n}</p>', '<button onClick={() => setN(n + 1)}>{n}</button>') },
      changed: ['src/App.tsx'],
    });
  });

  it('replaces multi-line blocks and can delete lines with an empty REPLACE', () => {
    const result = applyEditBlocks({ 'src/App.tsx': app }, [edit('import { useState } from "react";\n', '')]);
    expect(result.ok && result.files['src/App.tsx']).toBe(app.split('\n').slice(2).join('\n'));
  });

  it('leaves untouched files as they were and never mutates its input', () => {
    const files = Object.freeze({ 'src/App.tsx': app, 'src/main.tsx': 'main\n' });
    const result = applyEditBlocks(files, [edit('}', '} // end')]);
    expect(result.ok && result.files['src/main.tsx']).toBe('main\n');
    expect(files['src/App.tsx']).toBe(app);
  });

  it('applies edits to one file in order, each on the result of the one before', () => {
    const result = applyEditBlocks({ 'a.ts': 'one\n' }, [edit('one', 'two', 'a.ts'), edit('two', 'three', 'a.ts')]);
    expect(result.ok && result.files['a.ts']).toBe('three\n');
  });

  it('refuses an ambiguous SEARCH instead of picking one of the matches', () => {
    const files = { 'a.ts': 'x = 1;\ny = 2;\nx = 1;\n' };
    const result = applyEditBlocks(files, [edit('x = 1;', 'x = 3;', 'a.ts')]);
    expect(result).toEqual({ ok: false, failures: [{ path: 'a.ts', search: 'x = 1;', reason: 'ambiguous' }] });
  });

  it('counts overlapping matches as ambiguous too', () => {
    const result = applyEditBlocks({ 'a.ts': 'a\na\na\n' }, [edit('a\na', 'b', 'a.ts')]);
    expect(result.ok || result.failures[0]!.reason).toBe('ambiguous');
  });

  it('tolerates trailing whitespace differences on either side', () => {
    const files = { 'a.ts': 'const a = 1;   \nconst b = 2;\t\n' };
    const result = applyEditBlocks(files, [edit('const a = 1;\nconst b = 2;   ', 'const a = 10;\nconst b = 20;', 'a.ts')]);
    expect(result.ok && result.files['a.ts']).toBe('const a = 10;\nconst b = 20;\n');
  });

  it('prefers the one exact match over several whitespace-insensitive ones', () => {
    const files = { 'a.ts': 'x();  \nx();\n' };
    const result = applyEditBlocks(files, [edit('x();', 'y();', 'a.ts')]);
    expect(result.ok && result.files['a.ts']).toBe('x();  \ny();\n');
  });

  it('is ambiguous when only whitespace-insensitive matching finds several places', () => {
    const result = applyEditBlocks({ 'a.ts': 'x();  \nx();\t\n' }, [edit('x();', 'y();', 'a.ts')]);
    expect(result.ok || result.failures[0]!.reason).toBe('ambiguous');
  });

  it('does not ignore leading indentation: a SEARCH with other indentation is not found', () => {
    const result = applyEditBlocks({ 'src/App.tsx': app }, [edit('return <p>{n}</p>;', 'return null;')]);
    expect(result.ok || result.failures[0]!.reason).toBe('not_found');
  });

  it('is all or nothing: one failing edit keeps every other edit out', () => {
    const result = applyEditBlocks({ 'src/App.tsx': app, 'a.ts': 'a\n' }, [
      edit('a', 'b', 'a.ts'),
      edit('no such line', 'whatever'),
      edit('x', 'y', 'missing.ts'),
    ]);
    expect(result).toEqual({
      ok: false,
      failures: [
        { path: 'src/App.tsx', search: 'no such line', reason: 'not_found' },
        { path: 'missing.ts', search: 'x', reason: 'file_missing' },
      ],
    });
  });

  it('creates a new file from an empty SEARCH, and refuses one on a file with content', () => {
    const created = applyEditBlocks({}, [edit('', 'export const x = 1;', 'src/x.ts')]);
    expect(created).toEqual({ ok: true, files: { 'src/x.ts': 'export const x = 1;\n' }, changed: ['src/x.ts'] });
    const refused = applyEditBlocks({ 'src/App.tsx': app }, [edit('', 'oops')]);
    expect(refused.ok || refused.failures[0]!.reason).toBe('empty_search');
  });

  it('keeps the file ending as it was', () => {
    const noNewline = applyEditBlocks({ 'a.ts': 'a\nb' }, [edit('b', 'c', 'a.ts')]);
    expect(noNewline.ok && noNewline.files['a.ts']).toBe('a\nc');
    const newline = applyEditBlocks({ 'a.ts': 'a\nb\n' }, [edit('b', 'c', 'a.ts')]);
    expect(newline.ok && newline.files['a.ts']).toBe('a\nc\n');
  });

  it('treats regex and replacement-pattern characters literally', () => {
    const files = { 'a.ts': 'const re = /a.*b$/;\nconst s = "$&";\n' };
    const result = applyEditBlocks(files, [edit('const re = /a.*b$/;', 'const re = /$1.+/;', 'a.ts'), edit('const s = "$&";', 'const s = "$$";', 'a.ts')]);
    expect(result.ok && result.files['a.ts']).toBe('const re = /$1.+/;\nconst s = "$$";\n');
  });
});
