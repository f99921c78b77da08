package dev.lathe.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Aspect-ratio bucketing (docs/DATASETS.md has a worked example). For an image of w × h pixels, a resolution r
 * and the family's divisor d:
 * <ol>
 *   <li>the image takes part at r only if it is large enough: √(w·h) ≥ 0.9·r. Lathe never upscales an image to
 *       reach a resolution, so a 900×900 photo trains at 768 but not at 1024;</li>
 *   <li>target area A = min(w·h, r²); k = √(A / (w·h));</li>
 *   <li>candidate sides are w·k and h·k rounded down and up to multiples of d (at least d), keeping the pairs
 *       whose area is at most r²;</li>
 *   <li>the bucket is the candidate whose aspect ratio is closest to the image's, then whose area is closest to
 *       A, then the smaller one;</li>
 *   <li>the image is resized by max(bw/w, bh/h), each side rounded up (so it may grow by less than d pixels),
 *       and the bucket is cut from the centre.</li>
 * </ol>
 * The upstream trainer picks the candidate closest in area first; Lathe prefers the closest shape because the
 * candidates differ in area by at most one divisor step while a wrong shape crops content (a 1000×1000 photo
 * lands in 992×992, not 992×1008).
 */
public final class Buckets {
  /** An image joins a resolution when the side of the square with its area is at least this share of it. */
  public static final double MIN_FILL = 0.9;

  private Buckets() {}

  /**
   * Where a {@code width × height} image lands at {@code resolution}.
   *
   * @return the fit, or empty when the image is smaller than {@link #MIN_FILL} of the resolution
   * @throws IllegalArgumentException if a size is not positive or the resolution is smaller than the divisor
   */
  public static Optional<BucketFit> fit(int width, int height, int resolution, int divisor) {
    if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    if (divisor < 1) throw new IllegalArgumentException("divisor must be >= 1, got " + divisor);
    if (resolution < divisor) throw new IllegalArgumentException("resolution " + resolution + " is smaller than the divisor " + divisor);
    long area = (long) width * height;
    long max = (long) resolution * resolution;
    if (!largeEnough(area, resolution)) return Optional.empty();

    double target = Math.min(area, max);
    double k = Math.sqrt(target / area);
    double ideal = (double) width / height;
    int[] ws = sides(width * k, divisor);
    int[] hs = sides(height * k, divisor);
    Bucket best = null;
    double bestShape = 0;
    double bestArea = 0;
    for (int bw : ws) {
      for (int bh : hs) {
        if ((long) bw * bh > max) continue;
        double shape = Math.abs(Math.log((double) bw / bh / ideal));
        double off = Math.abs(bw * (double) bh - target);
        if (best == null || shape < bestShape - 1e-12
            || (shape <= bestShape + 1e-12 && (off < bestArea - 1e-9 || (off <= bestArea + 1e-9 && (long) bw * bh < best.area())))) {
          best = new Bucket(bw, bh);
          bestShape = shape;
          bestArea = off;
        }
      }
    }
    if (best == null) best = shrink(ws[0], hs[0], max, divisor);   // only for extreme aspect ratios
    return Optional.of(place(width, height, resolution, best));
  }

  /** The fits of one image at each resolution it is large enough for, in the list's order. */
  public static List<BucketFit> fits(int width, int height, List<Integer> resolutions, int divisor) {
    List<BucketFit> out = new ArrayList<>(resolutions.size());
    for (int r : resolutions) fit(width, height, r, divisor).ifPresent(out::add);
    return out;
  }

  /** True when a {@code width × height} image takes part at {@code resolution} (rule 1 above). */
  public static boolean largeEnough(int width, int height, int resolution) {
    return largeEnough((long) width * height, resolution);
  }

  private static boolean largeEnough(long area, int resolution) {
    // √area ≥ 0.9·r  ⇔  100·area ≥ 81·r², in integers so 0.9·r exactly on the edge counts
    return 100 * area >= 81L * resolution * resolution;
  }

  /** floor and ceil of x to multiples of d, each at least d; x close to a multiple snaps to it. */
  private static int[] sides(double x, int d) {
    double q = x / d;
    double r = Math.rint(q);
    if (Math.abs(q - r) < 1e-9) {
      int s = Math.max(d, (int) r * d);
      return new int[] {s};
    }
    int lo = Math.max(d, (int) Math.floor(q) * d);
    int hi = Math.max(d, (int) Math.ceil(q) * d);
    return lo == hi ? new int[] {lo} : new int[] {lo, hi};
  }

  /** A very long strip whose short side was raised to d can exceed r²: shorten the long side until it fits. */
  private static Bucket shrink(int bw, int bh, long max, int d) {
    while ((long) bw * bh > max && (bw > d || bh > d)) {
      if (bw >= bh) bw -= d;
      else bh -= d;
    }
    return new Bucket(bw, bh);
  }

  /** Resize by max(bw/w, bh/h) with sides rounded up, exactly in integers, then centre the crop. */
  static BucketFit place(int w, int h, int resolution, Bucket b) {
    int rw;
    int rh;
    if ((long) b.width() * h >= (long) b.height() * w) {   // bw/w ≥ bh/h: width decides
      rw = b.width();
      rh = (int) Math.max(b.height(), ceilDiv((long) h * b.width(), w));
    } else {
      rh = b.height();
      rw = (int) Math.max(b.width(), ceilDiv((long) w * b.height(), h));
    }
    return new BucketFit(resolution, b, rw, rh, (rw - b.width()) / 2, (rh - b.height()) / 2);
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
