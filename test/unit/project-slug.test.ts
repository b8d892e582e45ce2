import { expect, it } from 'vitest';
import { ProjectSlug, slugify } from '../../domain/projects';

it.each([
  ['Todo app', 'todo-app'],
  ['  Mon Café: App!  ', 'mon-cafe-app'],
  ['Ünïcödé -- Test', 'unicode-test'],
  ['日本語', 'project'],
  ['!!!', 'project'],
  ['a'.repeat(59) + ' b', 'a'.repeat(59)],
])('slugifies %j as %j', (name, slug) => {
  expect(slugify(name)).toBe(slug);
  expect(ProjectSlug.safeParse(slug).success).toBe(true);
});

it.each(['', 'UPPER', 'a--b', '-a', 'a-', 'a_b', 'a b', 'x'.repeat(61)])('refuses the slug %j', (slug) => {
  expect(ProjectSlug.safeParse(slug).success).toBe(false);
});
