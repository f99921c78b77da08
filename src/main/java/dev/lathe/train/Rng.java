package dev.lathe.train;

import org.bytedeco.pytorch.Generator;

/**
 * Deterministic random streams derived from (seed, step, micro-batch, purpose). Every draw of a step comes from
 * a stream that depends only on these numbers, so a run resumed at step k draws exactly what an uninterrupted run
 * draws at step k — there is no RNG state to save beyond the seed.
 */
public final class Rng {
  /** What a stream is for; each gets independent numbers. */
  public enum Stream { NOISE, TIMESTEP, DROPOUT, SAMPLE, PRESERVATION }

  private Rng() {}

  /** SplitMix64 finaliser: a well-mixed 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  public static long seedFor(long seed, long step, int micro, Stream stream) {
    return mix(mix(mix(seed) + step) + ((long) micro << 8) + stream.ordinal());
  }

  /** A libtorch CPU generator for the stream (draw on the CPU, then move: same numbers on every device). */
  public static Generator torch(long seed, long step, int micro, Stream stream) {
    return dev.lathe.torch.Runtime.generator(seedFor(seed, step, micro, stream));
  }

  /** A Java-side stream (SplitMix64) for scalar draws such as timestep indices. */
  public static final class Scalar {
    private long state;

    public Scalar(long seed, long step, int micro, Stream stream) {
      this.state = seedFor(seed, step, micro, stream);
    }

    public long nextLong() {
      state += 0x9e3779b97f4a7c15L;
      return mix(state);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
      return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box–Muller). */
    public double nextGaussian() {
      double u = Math.max(nextDouble(), 1e-300);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * nextDouble());
    }

    /** Uniform integer in [0, n). */
    public int nextInt(int n) {
      return (int) ((nextLong() >>> 1) % n);
    }
  }
}
