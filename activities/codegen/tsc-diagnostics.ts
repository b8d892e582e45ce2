import type { TypeCheckDiagnostic } from '../../domain/type-check';

// `--pretty false` output: one diagnostic per line, message chains continue on indented lines.
const located = /^(.+)\((\d+),(\d+)\): error TS(\d+): (.*)$/;
const unlocated = /^error TS(\d+): (.*)$/;

/** Reads tsc's plain diagnostics back into data; paths stay as tsc prints them (relative to the app root). */
export function parseTscDiagnostics(output: string): TypeCheckDiagnostic[] {
  const diagnostics: TypeCheckDiagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const at = located.exec(line);
    if (at) {
      const [, file, row, column, code, message] = at;
      diagnostics.push({ file: file!, line: Number(row), column: Number(column), code: Number(code), message: message! });
      continue;
    }
    const global = unlocated.exec(line);
    if (global) {
      diagnostics.push({ file: null, line: 0, column: 0, code: Number(global[1]), message: global[2]! });
      continue;
    }
    const last = diagnostics.at(-1);
    if (last && /^\s+\S/.test(line)) last.message += `\n${line}`;
  }
  return diagnostics;
}
