/**
 * Groups texts into requests within a provider's limits (texts per request, tokens per request), in
 * order. Returns positions into the input so results can be put back where they belong.
 */
export interface BatchLimits {
  maxInputs: number;
  maxRequestTokens?: number;
}

export function planBatches(
  texts: readonly string[],
  limits: BatchLimits,
  countTokens: (text: string) => number,
): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  texts.forEach((text, position) => {
    const size = limits.maxRequestTokens === undefined ? 0 : countTokens(text);
    const overTokens = limits.maxRequestTokens !== undefined && tokens + size > limits.maxRequestTokens;
    if (current.length > 0 && (current.length >= limits.maxInputs || overTokens)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(position);
    tokens += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Runs `work` over the items with at most `limit` in flight, keeping results in input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
