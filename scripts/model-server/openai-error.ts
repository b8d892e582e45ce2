import type { ServerResponse } from 'node:http';

/** Errors in OpenAI's own shape, so the openai package raises the same error classes it would for OpenAI. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code: string | null; param?: string | null },
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { param: null, ...error } }, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
