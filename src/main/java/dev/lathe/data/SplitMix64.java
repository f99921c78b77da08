package dev.lathe.data;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose whole state is one long, so the sampler can save
 * and restore it exactly. {@link #mix} hashes a tuple to 64 well-mixed bits for stateless draws.
 */
final class SplitMix64 {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private long state;

  SplitMix64(long state) {
    this.state = state;
  }

  long state() {
    return state;
  }

  long nextLong() {
    state += GOLDEN;
    return finish(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), without modulo bias (63-bit draws, the top partial range rejected). */
  int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be > 0, got " + bound);
    while (true) {
      long u = nextLong() >>> 1;
      long v = u % bound;
      if (u - v + (bound - 1) >= 0) return (int) v;
    }
  }

  /** A hash of the values, uniform over 64 bits. */
  static long mix(long... values) {
    long h = 0x6A09E667F3BCC909L;
    for (long v : values) h = finish(h + GOLDEN + finish(v ^ h));
    return h;
  }

  /** Uniform in [0, 1) from a hash. */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  private static long finish(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
