// What the matchers use of vitest's `this` (MatcherState): vitest 4 and 5 export that type
// from "vitest" and 3.2 does not, so the shipped declarations name this shape instead; each
// vitest's MatcherState fits it.

/** The part of vitest's MatcherState the matchers read. */
export interface MatcherState {
  /** Inside `expect(...).not`. */
  isNot: boolean;
  /** vitest's deep equality, asymmetric matchers included. */
  equals(a: unknown, b: unknown): boolean;
  utils: { stringify(value: unknown): string };
}
