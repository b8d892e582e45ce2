import { generatedAppPackages } from '../../domain/llm-protocol';
import { type AppTheme, slugOf } from './app-theme';

/**
 * The files of a new app, per theme. Every template type-checks under the generated-app toolchain
 * (strict tsconfig, React 19 types, tsc 7): the compile check must pass on the first try offline.
 */

const js = (value: string) => JSON.stringify(value);
export const escapeHtml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const packageJson = (theme: AppTheme) =>
  `${JSON.stringify(
    {
      name: slugOf(theme.title),
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { dev: 'vite', build: 'tsc -p . && vite build', preview: 'vite preview' },
      ...generatedAppPackages,
    },
    null,
    2,
  )}\n`;

const indexHtml = (theme: AppTheme) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>${escapeHtml(theme.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`;

const tsconfig = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      module: 'ESNext',
      moduleResolution: 'bundler',
      jsx: 'react-jsx',
      strict: true,
      noEmit: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: ['vite/client'],
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

const mainTsx = `import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import './index.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
`;

const indexCss = `body {
  margin: 0;
  background: #f4f4f5;
  color: #18181b;
  font-family: system-ui, sans-serif;
}

.app {
  max-width: 40rem;
  margin: 3rem auto;
  padding: 2rem;
  border-radius: 0.75rem;
  background: #ffffff;
  box-shadow: 0 1px 3px rgb(0 0 0 / 0.1);
}

button {
  margin: 0.25rem;
  padding: 0.4rem 0.9rem;
  border: 1px solid #d4d4d8;
  border-radius: 0.4rem;
  background: #fafafa;
  cursor: pointer;
}
`;

const app = (title: string, body: string[], imports: string[] = [], extra: string[] = []) =>
  [
    ...imports,
    ...(imports.length ? [''] : []),
    `const title = ${js(title)};`,
    ...extra,
    '',
    'export default function App() {',
    '  return (',
    '    <main className="app">',
    '      <h1>{title}</h1>',
    ...body.map((line) => `      ${line}`),
    '    </main>',
    '  );',
    '}',
    '',
  ].join('\n');

const todoList = `import { useState, type FormEvent } from 'react';

interface Todo {
  id: number;
  text: string;
  done: boolean;
}

export default function TodoList() {
  const [todos, setTodos] = useState<Todo[]>([]);
  const [draft, setDraft] = useState('');

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setTodos((list) => [...list, { id: Date.now(), text, done: false }]);
    setDraft('');
  }

  const toggle = (id: number) => setTodos((list) => list.map((t) => (t.id === id ? { ...t, done: !t.done } : t)));
  const remove = (id: number) => setTodos((list) => list.filter((t) => t.id !== id));

  return (
    <section>
      <form onSubmit={add}>
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="What needs doing?" />
        <button type="submit">Add</button>
      </form>
      <ul>
        {todos.map((todo) => (
          <li key={todo.id}>
            <label style={{ textDecoration: todo.done ? 'line-through' : 'none' }}>
              <input type="checkbox" checked={todo.done} onChange={() => toggle(todo.id)} /> {todo.text}
            </label>
            <button type="button" onClick={() => remove(todo.id)}>Remove</button>
          </li>
        ))}
      </ul>
      <p>{todos.filter((t) => !t.done).length} left</p>
    </section>
  );
}
`;

const counter = `import { useState } from 'react';

export default function Counter() {
  const [count, setCount] = useState(0);
  return (
    <section>
      <p className="count">{count}</p>
      <button type="button" onClick={() => setCount((n) => n - 1)}>-1</button>
      <button type="button" onClick={() => setCount((n) => n + 1)}>+1</button>
      <button type="button" onClick={() => setCount(0)}>Reset</button>
    </section>
  );
}
`;

function themedFiles(theme: AppTheme): Record<string, string> {
  switch (theme.kind) {
    case 'todo':
      return { 'src/TodoList.tsx': todoList, 'src/App.tsx': app(theme.title, ['<TodoList />'], ["import TodoList from './TodoList';"]) };
    case 'counter':
      return { 'src/Counter.tsx': counter, 'src/App.tsx': app(theme.title, ['<Counter />'], ["import Counter from './Counter';"]) };
    case 'page':
      return {
        'src/App.tsx': app(
          theme.title,
          ['<p>{request}</p>', '<ul>', '  {topics.map((topic) => (', '    <li key={topic}>{topic}</li>', '  ))}', '</ul>'],
          [],
          [`const request = ${js(theme.request)};`, `const topics: string[] = ${JSON.stringify(theme.topics)};`],
        ),
      };
  }
}

/** Path -> content of the whole new app. */
export function appFiles(theme: AppTheme): Record<string, string> {
  return {
    'package.json': packageJson(theme),
    'index.html': indexHtml(theme),
    'tsconfig.json': tsconfig,
    'src/main.tsx': mainTsx,
    'src/index.css': indexCss,
    ...themedFiles(theme),
  };
}

/** What the planner says about each file of a new app. */
export const fileReasons: Record<string, string> = {
  'package.json': 'Declares the app and the React, Vite and TypeScript packages it builds with',
  'index.html': 'The page Vite serves, with the root element and the entry script',
  'tsconfig.json': 'Strict TypeScript settings for a React app bundled by Vite',
  'src/main.tsx': 'Mounts the App component into the root element',
  'src/index.css': 'Base styles of the page',
  'src/App.tsx': 'The top-level component with the title and the main content',
  'src/TodoList.tsx': 'Adds, completes and removes todo items',
  'src/Counter.tsx': 'Counts up and down, with a reset',
};

/** Content for a planned file the templates do not know (a real model's plan, say): valid and minimal. */
export function stubFile(path: string): string {
  if (path.endsWith('.json')) return '{}\n';
  if (/\.[cm]?[jt]s$/.test(path)) return 'export {};\n';
  if (!path.endsWith('.tsx')) return '';
  const name = (path.split('/').pop() ?? '').replace(/\.tsx$/, '').replace(/[^A-Za-z0-9]/g, '');
  const component = /^[A-Z]/.test(name) ? name : `Part${name}`;
  return `export default function ${component}() {\n  return <section>${escapeHtml(name)}</section>;\n}\n`;
}
