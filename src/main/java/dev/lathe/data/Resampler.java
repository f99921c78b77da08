package dev.lathe.data;

/**
 * Resize + centre crop to a bucket, as planar float pixels in [-1, 1]. Separable: each axis shrinks by area
 * averaging (every source pixel weighs by how much of it an output pixel covers, so nothing aliases) and grows
 * (by less than a divisor step, see {@link Buckets}) by linear interpolation. Works in sRGB values, as the
 * reference trainers do. Only the rows and columns inside the crop are computed.
 */
final class Resampler {
  /** Part of every latent cache key: bump it when the output of this class changes. */
  static final String VERSION = "area-linear-v1";

  private Resampler() {}

  /** Taps of one output pixel along one axis: source index {@code start + k} weighs {@code weights[k]}. */
  private record Taps(int start, float[] weights) {}

  /**
   * @param rgb packed 0xRRGGBB, {@code w × h} row-major, display orientation
   * @return [3, bh, bw] row-major (channel planes R, G, B), values in [-1, 1]
   */
  static float[] resizeCrop(int[] rgb, int w, int h, BucketFit fit) {
    int bw = fit.bucket().width();
    int bh = fit.bucket().height();
    Taps[] cols = taps(w, fit.resizedWidth(), fit.cropX(), bw);
    Taps[] rows = taps(h, fit.resizedHeight(), fit.cropY(), bh);
    int r0 = rows[0].start;
    int r1 = r0;
    for (Taps t : rows) {
      r0 = Math.min(r0, t.start);
      r1 = Math.max(r1, t.start + t.weights.length);
    }
    // horizontal pass over the source rows the crop needs: [rows, 3, bw]
    int nr = r1 - r0;
    float[] tmp = new float[nr * 3 * bw];
    for (int y = 0; y < nr; y++) {
      int src = (r0 + y) * w;
      int dst = y * 3 * bw;
      for (int j = 0; j < bw; j++) {
        Taps t = cols[j];
        float r = 0;
        float g = 0;
        float b = 0;
        for (int k = 0; k < t.weights.length; k++) {
          int p = rgb[src + t.start + k];
          float wt = t.weights[k];
          r += wt * (p >> 16 & 0xFF);
          g += wt * (p >> 8 & 0xFF);
          b += wt * (p & 0xFF);
        }
        tmp[dst + j] = r;
        tmp[dst + bw + j] = g;
        tmp[dst + 2 * bw + j] = b;
      }
    }
    // vertical pass into planes, then [0, 255] → [-1, 1]
    float[] out = new float[3 * bh * bw];
    int plane = bh * bw;
    for (int i = 0; i < bh; i++) {
      Taps t = rows[i];
      for (int c = 0; c < 3; c++) {
        int dst = c * plane + i * bw;
        for (int k = 0; k < t.weights.length; k++) {
          float wt = t.weights[k];
          int src = (t.start - r0 + k) * 3 * bw + c * bw;
          for (int j = 0; j < bw; j++) out[dst + j] += wt * tmp[src + j];
        }
        for (int j = 0; j < bw; j++) out[dst + j] = out[dst + j] / 127.5f - 1f;
      }
    }
    return out;
  }

  /** Taps for output pixels [crop, crop + len) of an n → m resize. */
  private static Taps[] taps(int n, int m, int crop, int len) {
    Taps[] out = new Taps[len];
    double scale = (double) n / m;   // source pixels per output pixel
    for (int j = 0; j < len; j++) {
      int o = crop + j;
      if (scale >= 1) {
        double a = o * scale;
        double b = Math.min(n, (o + 1) * scale);
        int first = (int) Math.floor(a);
        int last = Math.min(n - 1, (int) Math.ceil(b) - 1);
        float[] wt = new float[last - first + 1];
        for (int i = first; i <= last; i++) wt[i - first] = (float) ((Math.min(b, i + 1) - Math.max(a, i)) / (b - a));
        out[j] = new Taps(first, wt);
      } else {
        double c = (o + 0.5) * scale - 0.5;
        int i0 = (int) Math.floor(c);
        double t = c - i0;
        int lo = Math.max(0, Math.min(n - 1, i0));
        int hi = Math.max(0, Math.min(n - 1, i0 + 1));
        if (lo == hi) out[j] = new Taps(lo, new float[] {1f});
        else out[j] = new Taps(lo, new float[] {(float) (1 - t), (float) t});
      }
    }
    return out;
  }

  /** Mirrors planar [3, h, w] pixels left-right and/or top-bottom, in place. */
  static void flip(float[] chw, int w, int h, boolean flipX, boolean flipY) {
    for (int c = 0; c < 3; c++) {
      int base = c * w * h;
      if (flipX) {
        for (int y = 0; y < h; y++) {
          int row = base + y * w;
          for (int l = 0, r = w - 1; l < r; l++, r--) {
            float t = chw[row + l];
            chw[row + l] = chw[row + r];
            chw[row + r] = t;
          }
        }
      }
      if (flipY) {
        for (int top = 0, bot = h - 1; top < bot; top++, bot--) {
          for (int x = 0; x < w; x++) {
            float t = chw[base + top * w + x];
            chw[base + top * w + x] = chw[base + bot * w + x];
            chw[base + bot * w + x] = t;
          }
        }
      }
    }
  }
}
