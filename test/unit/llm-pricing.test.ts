import { describe, expect, it } from 'vitest';
import { costUsd, pricesFrom } from '../../domain/llm-pricing';

const prices = pricesFrom({ LLM_PRICE_PROMPT_PER_MTOK: 2.5, LLM_PRICE_COMPLETION_PER_MTOK: 10 });

describe('costUsd', () => {
  it('prices prompt and completion tokens per million', () => {
    expect(costUsd({ promptTokens: 1_000_000, completionTokens: 0 }, prices)).toBe(2.5);
    expect(costUsd({ promptTokens: 1_234, completionTokens: 567 }, prices)).toBe(0.008755);
  });

  it('rounds to a millionth of a dollar, so sums carry no float noise', () => {
    // 3 * 0.1 is 0.30000000000000004 in floating point.
    const tenCents = pricesFrom({ LLM_PRICE_PROMPT_PER_MTOK: 0.1, LLM_PRICE_COMPLETION_PER_MTOK: 0 });
    expect(costUsd({ promptTokens: 3_000_000, completionTokens: 0 }, tenCents)).toBe(0.3);
    expect(costUsd({ promptTokens: 1, completionTokens: 1 }, prices)).toBe(0.000013);
  });

  it('is zero for the free offline model', () => {
    expect(costUsd({ promptTokens: 5_000, completionTokens: 9_000 }, pricesFrom({ LLM_PRICE_PROMPT_PER_MTOK: 0, LLM_PRICE_COMPLETION_PER_MTOK: 0 }))).toBe(0);
  });
});
