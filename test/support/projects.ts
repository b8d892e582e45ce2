import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './test-app';

export interface FileInput {
  path: string;
  content: string;
}

/** Creates a project through the API as `token` (an editor or admin of `orgId`) and returns its id. */
export async function createProject(app: TestApp, token: string, orgId: string, name = `Project ${randomUUID().slice(0, 8)}`): Promise<string> {
  const res = await app.call('POST', `/orgs/${orgId}/projects`, { token, body: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

export const postVersion = (app: TestApp, token: string, projectId: string, parentVersion: number | null, files: FileInput[], message = 'edit') =>
  app.call('POST', `/projects/${projectId}/versions`, { token, body: { parentVersion, message, files } });

/** Saves a version that must succeed and returns its number. */
export async function saveVersion(app: TestApp, token: string, projectId: string, parentVersion: number | null, files: FileInput[]): Promise<number> {
  const res = await postVersion(app, token, projectId, parentVersion, files);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number;
}

/** Runs SQL on the test database, outside any request. */
export const sql = <T = Record<string, unknown>>(app: TestApp, query: string, params: unknown[] = []) =>
  app.deps.orm.em.fork().execute<T[]>(query, params);
