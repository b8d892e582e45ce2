import { describe, expect, it } from 'vitest';
import { parseTscDiagnostics } from '../../activities/codegen/tsc-diagnostics';

describe('parseTscDiagnostics', () => {
  it('reads located diagnostics with file, line, column, code and message', () => {
    const output = [
      "src/App.tsx(4,9): error TS2322: Type 'number' is not assignable to type 'string'.",
      "src/main.tsx(2,21): error TS2304: Cannot find name 'missing'.",
    ].join('\n');
    expect(parseTscDiagnostics(output)).toEqual([
      { file: 'src/App.tsx', line: 4, column: 9, code: 2322, message: "Type 'number' is not assignable to type 'string'." },
      { file: 'src/main.tsx', line: 2, column: 21, code: 2304, message: "Cannot find name 'missing'." },
    ]);
  });

  it('keeps the indented lines of a message chain with their diagnostic', () => {
    const output = [
      "src/App.tsx(3,14): error TS2322: Type '{ a: string; }' is not assignable to type 'P'.",
      "  The types of 'a' are incompatible between these types.",
      "    Type 'string' is not assignable to type 'number'.",
      "src/b.ts(1,1): error TS1005: ';' expected.",
    ].join('\n');
    const [chain, next] = parseTscDiagnostics(output);
    expect(chain!.message).toBe(
      "Type '{ a: string; }' is not assignable to type 'P'.\n  The types of 'a' are incompatible between these types.\n    Type 'string' is not assignable to type 'number'.",
    );
    expect(next).toMatchObject({ file: 'src/b.ts', code: 1005 });
  });

  it('reads diagnostics without a location as file null, line and column 0', () => {
    expect(parseTscDiagnostics("error TS2688: Cannot find type definition file for 'nope'.\n")).toEqual([
      { file: null, line: 0, column: 0, code: 2688, message: "Cannot find type definition file for 'nope'." },
    ]);
  });

  it('keeps parentheses that belong to the path and accepts CRLF output', () => {
    const output = "src/(admin)/page(2).tsx(10,3): error TS7006: Parameter 'x' implicitly has an 'any' type.\r\n";
    expect(parseTscDiagnostics(output)).toEqual([
      { file: 'src/(admin)/page(2).tsx', line: 10, column: 3, code: 7006, message: "Parameter 'x' implicitly has an 'any' type." },
    ]);
  });

  it('ignores lines that are not diagnostics, and answers nothing for clean output', () => {
    expect(parseTscDiagnostics('')).toEqual([]);
    expect(parseTscDiagnostics('Found 2 errors in 1 file.\n\n  stray indented text\n')).toEqual([]);
  });
});
