package dev.lathe.term;

import java.util.ArrayList;
import java.util.List;

/**
 * Median-cut palette over a 5-bit-per-channel histogram (32 768 bins): split the box with the most pixels times the
 * longest side at its weighted median, until there are {@code maxColors} boxes; each box's colour is the mean of its
 * pixels. Images with no more distinct bins than registers keep every bin. Package-private: {@link Sixel} uses it.
 */
final class MedianCut {
  static final int TRANSPARENT = -1;

  final int[] palette;      // 0xRRGGBB per register
  final int[] indices;      // per pixel, TRANSPARENT for alpha < 128
  final int width;
  final int height;

  private MedianCut(int[] palette, int[] indices, int width, int height) {
    this.palette = palette;
    this.indices = indices;
    this.width = width;
    this.height = height;
  }

  private static int bin(int argb) {
    return ((argb >> 9) & 0x7c00) | ((argb >> 6) & 0x3e0) | ((argb >> 3) & 0x1f);
  }

  /** Quantises {@code argb} (w×h, row-major) to at most {@code maxColors} colours. */
  static MedianCut quantize(int[] argb, int w, int h, int maxColors, boolean dither) {
    if (maxColors < 2 || maxColors > 1024) throw new IllegalArgumentException("maxColors must be 2..1024, was " + maxColors);
    int[] count = new int[32768];
    long[] sum = new long[32768 * 3];
    for (int p : argb) {
      if ((p >>> 24) < 128) continue;
      int b = bin(p);
      count[b]++;
      sum[3 * b] += (p >> 16) & 0xff;
      sum[3 * b + 1] += (p >> 8) & 0xff;
      sum[3 * b + 2] += p & 0xff;
    }
    int occupied = 0;
    for (int c : count) if (c > 0) occupied++;
    int[] bins = new int[occupied];
    for (int b = 0, k = 0; b < 32768; b++) if (count[b] > 0) bins[k++] = b;

    List<int[]> boxes = new ArrayList<>();
    if (occupied > 0) boxes.add(bins);
    while (boxes.size() < maxColors) {
      int best = -1;
      long bestScore = 0;
      for (int i = 0; i < boxes.size(); i++) {
        long s = score(boxes.get(i), count);
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      if (best < 0) break;                       // every box is a single bin
      int[][] halves = split(boxes.get(best), count);
      boxes.set(best, halves[0]);
      boxes.add(halves[1]);
    }

    int[] palette = new int[boxes.size()];
    int[] binToIndex = new int[32768];
    java.util.Arrays.fill(binToIndex, -1);
    for (int i = 0; i < boxes.size(); i++) {
      long n = 0, r = 0, g = 0, b = 0;
      for (int bin : boxes.get(i)) {
        n += count[bin];
        r += sum[3 * bin];
        g += sum[3 * bin + 1];
        b += sum[3 * bin + 2];
        binToIndex[bin] = i;
      }
      palette[i] = (int) ((r + n / 2) / n) << 16 | (int) ((g + n / 2) / n) << 8 | (int) ((b + n / 2) / n);
    }

    int[] indices = new int[w * h];
    // 4×4 Bayer thresholds centred on 0, about half a palette step (a fixed pattern: stable between frames)
    int spread = dither ? Math.max(4, (int) (128 / Math.cbrt(Math.max(2, palette.length)))) : 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = argb[y * w + x];
        if ((p >>> 24) < 128) {
          indices[y * w + x] = TRANSPARENT;
          continue;
        }
        if (spread > 0) {
          int t = (BAYER[(y & 3) * 4 + (x & 3)] * 2 - 15) * spread / 32;
          p = clamp(((p >> 16) & 0xff) + t) << 16 | clamp(((p >> 8) & 0xff) + t) << 8 | clamp((p & 0xff) + t);
        }
        int bin = bin(p);
        int idx = binToIndex[bin];
        if (idx < 0) {                           // a bin no pixel fell in (dither moved it): nearest, cached
          idx = nearest(palette, p & 0xffffff);
          binToIndex[bin] = idx;
        }
        indices[y * w + x] = idx;
      }
    }
    return new MedianCut(palette, indices, w, h);
  }

  private static final int[] BAYER = {0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5};

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static int nearest(int[] palette, int rgb) {
    int best = 0;
    long bestD = Long.MAX_VALUE;
    for (int i = 0; i < palette.length; i++) {
      long d = ColorRounding.distance(rgb, palette[i]);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  private static int coord(int bin, int axis) {
    return (bin >> (10 - 5 * axis)) & 31;        // axis 0 = r, 1 = g, 2 = b
  }

  private static long score(int[] box, int[] count) {
    if (box.length < 2) return 0;
    long n = 0;
    for (int b : box) n += count[b];
    return n * (longestSide(box)[1] + 1);
  }

  /** {axis, length} of the box's longest side in bin units. */
  private static int[] longestSide(int[] box) {
    int[] best = {0, -1};
    for (int axis = 0; axis < 3; axis++) {
      int lo = 31, hi = 0;
      for (int b : box) {
        int c = coord(b, axis);
        lo = Math.min(lo, c);
        hi = Math.max(hi, c);
      }
      if (hi - lo > best[1]) best = new int[] {axis, hi - lo};
    }
    return best;
  }

  private static int[][] split(int[] box, int[] count) {
    int axis = longestSide(box)[0];
    long[] perCoord = new long[32];
    long total = 0;
    int lo = 31, hi = 0;
    for (int b : box) {
      int c = coord(b, axis);
      perCoord[c] += count[b];
      total += count[b];
      lo = Math.min(lo, c);
      hi = Math.max(hi, c);
    }
    int cut = lo;                                   // bins with coord <= cut go left; cut < hi keeps both sides non-empty
    long acc = 0;
    for (int c = lo; c < hi; c++) {
      acc += perCoord[c];
      cut = c;
      if (acc * 2 >= total) break;
    }
    int left = 0;
    for (int b : box) if (coord(b, axis) <= cut) left++;
    int[] a = new int[left];
    int[] z = new int[box.length - left];
    int i = 0, j = 0;
    for (int b : box) {
      if (coord(b, axis) <= cut) a[i++] = b;
      else z[j++] = b;
    }
    return new int[][] {a, z};
  }
}
