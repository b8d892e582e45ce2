import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { JobErrorCode, MessageContent, Usage, type JobError } from '../../domain/agents';
import { Topic, TopicKind } from '../../domain/events';
import { isJobErrorCode, type JobErrorCode as PlainJobErrorCode } from '../../domain/job-error-codes';
import { parsePreviewWorkflowInput, type PreviewWorkflowInput } from '../../domain/preview-workflow-input';
import { ProviderName } from '../../domain/providers';
import { isProviderName, type ProviderName as PlainProviderName } from '../../domain/provider-names';
import { MAX_MESSAGE_CHARS, messageContentProblem } from '../../domain/session-limits';
import { topicFor, type Topic as PlainTopic, type TopicKind as PlainTopicKind } from '../../domain/topics';
import { usageOf, type Usage as PlainUsage } from '../../domain/usage';
import { isUuid, UUID_PATTERN } from '../../domain/value-checks';

// Workflows check values with the zod-free modules; the API with the zod schemas. Each pair must
// agree, in types (checked by tsc) and in what it accepts (checked here on generated values).

const samples = fc.oneof(fc.anything(), fc.integer(), fc.double(), fc.string(), fc.uuid());

it('gives each zod schema the type of its plain twin', () => {
  expectTypeOf<z.infer<typeof Usage>>().toEqualTypeOf<PlainUsage>();
  expectTypeOf<z.infer<typeof JobErrorCode>>().toEqualTypeOf<PlainJobErrorCode>();
  expectTypeOf<JobError['code']>().toEqualTypeOf<PlainJobErrorCode>();
  expectTypeOf<z.infer<typeof TopicKind>>().toEqualTypeOf<PlainTopicKind>();
  expectTypeOf<z.infer<typeof Topic>>().toEqualTypeOf<PlainTopic>();
  expectTypeOf<z.infer<typeof ProviderName>>().toEqualTypeOf<PlainProviderName>();
});

describe('agreement with zod', () => {
  it('reads a UUID as z.uuid() does', () => {
    expect(UUID_PATTERN.source).toBe(z.regexes.uuid().source);
    fc.assert(fc.property(samples, (value) => {
      expect(isUuid(value)).toBe(z.uuid().safeParse(value).success);
    }));
  });

  it('reads a usage as Usage does, keeping only its counts', () => {
    const counts = fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, 2 ** 53, Number.NaN, '3', null));
    const usages = fc.record({ promptTokens: counts, completionTokens: counts, calls: counts, extra: fc.anything() }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(usages, samples), (value) => {
      const parsed = Usage.safeParse(value);
      expect(usageOf(value)).toEqual(parsed.success ? parsed.data : null);
    }));
  });

  it('reads job error codes and provider names as the enums do', () => {
    const words = fc.oneof(samples, fc.constantFrom(...JobErrorCode.options, ...ProviderName.options));
    fc.assert(fc.property(words, (value) => {
      expect(isJobErrorCode(value)).toBe(JobErrorCode.safeParse(value).success);
      expect(isProviderName(value)).toBe(ProviderName.safeParse(value).success);
    }));
  });

  it('refuses a message as MessageContent does, with its words', () => {
    const messages = fc.oneof(fc.string(), fc.constantFrom('', ' \n\t ', 'x'.repeat(MAX_MESSAGE_CHARS), ` ${'x'.repeat(MAX_MESSAGE_CHARS)} `, 'x'.repeat(MAX_MESSAGE_CHARS + 1)));
    fc.assert(fc.property(messages, (content) => {
      const parsed = MessageContent.safeParse(content);
      expect(messageContentProblem(content)).toBe(parsed.success ? null : parsed.error.issues[0]!.message);
    }));
    expect(messageContentProblem('x'.repeat(MAX_MESSAGE_CHARS + 1))).toBe(`Message is over ${MAX_MESSAGE_CHARS} characters`);
    expect(messageContentProblem(42)).toBe('Message must be text');
  });

  it('names only topics that Topic accepts', () => {
    fc.assert(fc.property(fc.constantFrom(...TopicKind.options), fc.uuid(), (kind, id) => {
      expect(Topic.safeParse(topicFor(kind, id)).success).toBe(true);
    }));
    expect(() => topicFor('job', 'not-a-uuid')).toThrow(TypeError);
    expect(() => topicFor('nope' as PlainTopicKind, '9b2f0c1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b')).toThrow(TypeError);
  });
});

describe('parsePreviewWorkflowInput', () => {
  const ids = { previewId: '9b2f0c1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b', projectId: '1b2f0c1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b', organizationId: '2b2f0c1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b' };

  it('fills the defaults and drops unknown fields, in the order the workflow always sent them', () => {
    const parsed = parsePreviewWorkflowInput({ extra: true, version: 3, ...ids } satisfies PreviewWorkflowInput & { extra: boolean });
    expect(parsed).toEqual({ ok: true, input: { ...ids, version: 3, ttlSeconds: 1800, provider: 'local', requestedBy: null } });
    expect(parsed.ok && Object.keys(parsed.input)).toEqual(['previewId', 'projectId', 'organizationId', 'version', 'ttlSeconds', 'provider', 'requestedBy']);
  });

  it('names every bad field', () => {
    expect(parsePreviewWorkflowInput({ ...ids, previewId: 'x', version: 0, ttlSeconds: -5, provider: 'ftp', requestedBy: 'me' })).toEqual({
      ok: false,
      problems: [
        'previewId: Invalid UUID',
        'version: Expected an integer from 1 to 2147483647',
        'ttlSeconds: Expected an integer from 1 to 86400',
        'provider: Expected one of local, docker, render, railway',
        'requestedBy: Invalid UUID',
      ],
    });
    expect(parsePreviewWorkflowInput({ ...ids, version: 1, ttlSeconds: null })).toMatchObject({ ok: false, problems: ['ttlSeconds: Expected an integer from 1 to 86400'] });
    expect(parsePreviewWorkflowInput(null)).toEqual({ ok: false, problems: ['Expected an object'] });
  });
});
