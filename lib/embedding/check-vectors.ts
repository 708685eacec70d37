/**
 * A provider's answer must hold one vector per text, each of the expected dimension: anything else
 * would surface later as a failed upsert or, worse, as vectors in the wrong places.
 */
import { PermanentError } from "../shared/errors.js";

export function checkVectors(
  vectors: readonly (readonly number[] | undefined)[],
  expected: { count: number; dimension: number; source: string },
): number[][] {
  if (vectors.length !== expected.count) {
    throw new PermanentError(
      `${expected.source} answered ${vectors.length} vectors for ${expected.count} texts`,
    );
  }
  return vectors.map((vector) => {
    if (!vector || vector.length !== expected.dimension) {
      throw new PermanentError(
        `${expected.source} answered a vector of dimension ${vector?.length ?? 0}, expected ${expected.dimension}`,
      );
    }
    return [...vector];
  });
}
