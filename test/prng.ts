// Seeded randomness for the tests that need it (deterministic across runs).

/** A seeded generator of numbers in [0, 1) (mulberry32): the fuzz and the Thumb-2 corpus. */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
