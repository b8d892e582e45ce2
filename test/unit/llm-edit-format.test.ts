import { describe, expect, it } from 'vitest';
import { applyEditBlocks, formatEditBlock, formatWholeFile, parseEditBlocks, parseWholeFiles } from '../../domain/llm-edit-format';
import { LlmOutputError } from '../../domain/llm-protocol';

// How model replies are read back: the codegen stages save nothing a parser did not accept, and
// every rejection is a typed LlmOutputError (re-asked or retried, never saved).

const problemOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof LlmOutputError) return err.problem;
    throw err;
  }
  return 'accepted';
};

describe('parseEditBlocks', () => {
  it('reads blocks with the path on the line before, also inside fences and with decorated paths', () => {
    const reply = [
      'Here are the changes:',
      '**src/App.tsx**',
      '```tsx',
      '<<<<<<< SEARCH',
      '  return <p>hi</p>;',
      '=======',
      '  return <p>hello</p>;',
      '>>>>>>> REPLACE',
      '```',
      '',
      'src/index.css:',
      '<<<<<<< SEARCH',
      'body {',
      '=======',
      'body {',
      '  color: red;',
      '>>>>>>> REPLACE',
    ].join('\n');
    expect(parseEditBlocks(reply)).toEqual([
      { path: 'src/App.tsx', search: '  return <p>hi</p>;', replace: '  return <p>hello</p>;' },
      { path: 'src/index.css', search: 'body {', replace: 'body {\n  color: red;' },
    ]);
  });

  it('lets a block without a path line continue the previous block\'s file', () => {
    const reply = `${formatEditBlock({ path: 'a.ts', search: 'a', replace: 'b' })}\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE`;
    expect(parseEditBlocks(reply).map((b) => b.path)).toEqual(['a.ts', 'a.ts']);
  });

  it('round-trips what formatEditBlock writes, including empty sides', () => {
    const blocks = [
      { path: 'src/new.ts', search: '', replace: 'export const x = 1;' },
      { path: 'src/App.tsx', search: 'line one\nline two', replace: '' },
    ];
    expect(parseEditBlocks(blocks.map(formatEditBlock).join('\n\n'))).toEqual(blocks);
  });

  it('rejects incomplete blocks, blocks without a file and replies without blocks', () => {
    expect(problemOf(() => parseEditBlocks('src/App.tsx\n<<<<<<< SEARCH\na\n>>>>>>> REPLACE'))).toBe('malformed_edit');
    expect(problemOf(() => parseEditBlocks('src/App.tsx\n<<<<<<< SEARCH\na\n=======\nb'))).toBe('malformed_edit');
    expect(problemOf(() => parseEditBlocks('<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE'))).toBe('malformed_edit');
    expect(problemOf(() => parseEditBlocks('../etc/passwd\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE'))).toBe('malformed_edit');
    expect(problemOf(() => parseEditBlocks('I changed the title for you.'))).toBe('no_edits');
  });
});

describe('parseWholeFiles', () => {
  it('reads files named by the fence info string or by the line before the fence', () => {
    const reply = '```src/App.tsx\nexport default function App() {}\n```\n\nindex.css\n```css\nbody {}\n```';
    expect(parseWholeFiles(reply)).toEqual([
      { path: 'src/App.tsx', content: 'export default function App() {}\n' },
      { path: 'index.css', content: 'body {}\n' },
    ]);
  });

  it('lets one language-tagged block stand for the file that was asked for', () => {
    expect(parseWholeFiles('```tsx\nconst a = 1;\n```', 'src/a.tsx')).toEqual([{ path: 'src/a.tsx', content: 'const a = 1;\n' }]);
    expect(problemOf(() => parseWholeFiles('```tsx\na\n```\n```tsx\nb\n```', 'src/a.tsx'))).toBe('malformed_file');
    expect(problemOf(() => parseWholeFiles('```tsx\nconst a = 1;\n```'))).toBe('malformed_file');
  });

  it('round-trips content holding backticks and fences by choosing a longer fence', () => {
    const content = 'const md = `\n```ts\ncode\n```\n`;\n';
    const text = formatWholeFile({ path: 'src/md.ts', content });
    expect(text.startsWith('````src/md.ts\n')).toBe(true);
    expect(parseWholeFiles(text)).toEqual([{ path: 'src/md.ts', content }]);
  });

  it('ends every file with a newline and keeps empty files empty', () => {
    expect(parseWholeFiles(formatWholeFile({ path: 'a.ts', content: 'x' }))[0]!.content).toBe('x\n');
    expect(parseWholeFiles(formatWholeFile({ path: 'a.css', content: '' }))[0]!.content).toBe('');
  });

  it('rejects a block cut off before its closing fence, and replies without files', () => {
    expect(problemOf(() => parseWholeFiles('```src/App.tsx\nexport default function App() {'))).toBe('malformed_file');
    expect(problemOf(() => parseWholeFiles('Sure, here you go.'))).toBe('no_files');
  });
});

describe('edit round trip', () => {
  it('applies parsed blocks as a dry run that reports every failing block', () => {
    const files = { 'src/App.tsx': 'a\nb\nc\n' };
    const ok = applyEditBlocks(files, parseEditBlocks(formatEditBlock({ path: 'src/App.tsx', search: 'b', replace: 'B' })));
    expect(ok).toEqual({ ok: true, files: { 'src/App.tsx': 'a\nB\nc\n' }, changed: ['src/App.tsx'] });
    const stale = applyEditBlocks(files, parseEditBlocks(formatEditBlock({ path: 'src/App.tsx', search: 'z', replace: 'Z' })));
    expect(stale).toEqual({ ok: false, failures: [{ path: 'src/App.tsx', search: 'z', reason: 'not_found' }] });
  });
});
