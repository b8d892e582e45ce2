import type { Intent } from '../../domain/llm-protocol';
import { describeEdit, readEditInstructions } from './app-edits';
import { describeTheme, themeOf } from './app-theme';
import { readMemory, recall } from './conversation-memory';
import type { PromptContext } from './prompt-context';

/** The offline router: keyword rules over the request, aware of whether an app exists yet. */

const capabilities =
  'I am Forge\'s offline stand-in model: I can build a todo list, a counter or a simple page about a topic, then change ' +
  'its title, add a button or change the background colour. Set OPENAI_API_KEY to use a real model for anything more.';

const questionStart = /^(what|how|why|when|where|who|which|can|could|does|do|is|are|should|will|would)\b/i;
/** "Could you build a counter?" is a request in question form. */
const politeRequest = /^(please\s+)?(can|could|would|will)\s+you\s+(please\s+)?(build|create|make|generate|write|add|change|set|rename|turn|paint|update)\b/i;
const fixWords = /\b(fix|errors?|bugs?|broken|crash(es|ing)?|fails?|failing|compile)\b/i;
const freshApp = /\b(new app|start over|from scratch)\b/i;

const intent = (kind: Intent['kind'], summary: string, extra: Partial<Pick<Intent, 'answer' | 'questions'>> = {}): Intent => ({
  kind,
  summary,
  answer: extra.answer ?? null,
  questions: extra.questions ?? null,
});

export function route(ctx: PromptContext): Intent {
  const text = ctx.request;
  const hasApp = ctx.paths.length > 0 && !freshApp.test(text);
  const kind = hasApp ? 'edit' : 'new_app';
  if (text.split(/\s+/).filter(Boolean).length < 3) {
    const question = hasApp
      ? 'What should I change? I can change the title, add a button or change the background colour.'
      : 'What would you like to build? For example a todo list, a counter, or a page about your topic.';
    return intent(kind, 'The request is too short to act on', { questions: [question] });
  }
  if (hasApp && fixWords.test(text)) return intent('fix', 'Fix the errors in the app');
  if ((/\?\s*$/.test(text) || questionStart.test(text)) && !politeRequest.test(text)) {
    const remembered = recall(text, readMemory(ctx.sections.history));
    if (remembered) return intent('question', 'Answer from the conversation', { answer: remembered });
    const answer = hasApp ? `The app has ${ctx.paths.length} files: ${ctx.paths.join(', ')}. ${capabilities}` : capabilities;
    return intent('question', 'Answer a question', { answer });
  }
  if (!hasApp) return intent('new_app', `Build ${describeTheme(themeOf(text))}`);
  const edits = readEditInstructions(text);
  if (edits.length) return intent('edit', edits.map(describeEdit).join('; '));
  return intent('edit', 'The change is beyond the offline model', {
    questions: ['The offline model can change the title, add a button or change the background colour. Which of these do you want?'],
  });
}
