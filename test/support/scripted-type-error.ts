import { formatWholeFile } from '../../domain/llm-edit-format';
import { appFiles } from '../../scripts/model-server/app-templates';
import { themeOf } from '../../scripts/model-server/app-theme';
import type { ModelServer } from './model-server';

const path = 'src/Counter.tsx';

/**
 * Queues coder replies so that a counter app's `src/Counter.tsx` comes back without its
 * `useState` import (a type error the offline fixer knows how to repair) and every other file as
 * the rule-based coder writes it. Files are asked for in plan order, so the job must generate
 * one file at a time (`generateConcurrency: 1`); `plannedPaths` is the plan's file order.
 */
export function scriptMissingHookImport(model: ModelServer, plannedPaths: string[]): void {
  const index = plannedPaths.indexOf(path);
  if (index < 0) throw new Error(`The plan has no ${path}: ${plannedPaths.join(', ')}`);
  const broken = appFiles(themeOf('counter'))[path]!.replace("import { useState } from 'react';\n", '');
  if (index > 0) model.script({ role: 'coder', times: index });
  model.script({ role: 'coder', reply: formatWholeFile({ path, content: broken }) });
}

/** The offline planner's file order for a new app built from `request`. */
export const plannedNewAppPaths = (request: string) => Object.keys(appFiles(themeOf(request)));
