package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ResamplerTest {
  static int gray(int v) {
    return v << 16 | v << 8 | v;
  }

  static int[] grays(int... v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) out[i] = gray(v[i]);
    return out;
  }

  /** Channel 0 of planar output, back in 0..255. */
  static float[] red(float[] chw, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (chw[i] + 1f) * 127.5f;
    return out;
  }

  @Test
  void identity_keepsValuesAndPlaneOrder() {
    int[] rgb = {0xFF0000, 0x00FF00, 0x0000FF, 0x804020};
    float[] out = Resampler.resizeCrop(rgb, 2, 2, new BucketFit(512, new Bucket(2, 2), 2, 2, 0, 0));
    // R plane, then G, then B; 255 -> 1, 0 -> -1
    assertThat(out).containsExactly(
        new float[] {1, -1, -1, 128 / 127.5f - 1,
            -1, 1, -1, 64 / 127.5f - 1,
            -1, -1, 1, 32 / 127.5f - 1}, within(1e-6f));
  }

  @Test
  void halving_averagesEachTwoByTwoBlock() {
    int[] src = grays(
        0, 40, 100, 100,
        80, 120, 100, 100,
        10, 10, 255, 0,
        10, 10, 0, 255);
    float[] out = red(Resampler.resizeCrop(src, 4, 4, new BucketFit(512, new Bucket(2, 2), 2, 2, 0, 0)), 4);
    assertThat(out).containsExactly(new float[] {60, 100, 10, 127.5f}, within(1e-3f));
  }

  @Test
  void threeToTwo_areaWeights() {
    // out 0 covers source [0, 1.5): (0 + 0.5*90) / 1.5 = 30; out 1 covers [1.5, 3): (0.5*90 + 180) / 1.5 = 150
    float[] out = red(Resampler.resizeCrop(grays(0, 90, 180), 3, 1, new BucketFit(512, new Bucket(2, 1), 2, 1, 0, 0)), 2);
    assertThat(out).containsExactly(new float[] {30, 150}, within(1e-3f));
  }

  @Test
  void twoToThree_linearInterpolation() {
    // centres map to -1/6 (clamped to pixel 0), 1/2 (halfway) and 7/6 (clamped to pixel 1)
    float[] out = red(Resampler.resizeCrop(grays(0, 90), 2, 1, new BucketFit(512, new Bucket(3, 1), 3, 1, 0, 0)), 3);
    assertThat(out).containsExactly(new float[] {0, 45, 90}, within(1e-3f));
  }

  @Test
  void crop_takesTheWindow() {
    int[] src = grays(1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16);
    float[] out = red(Resampler.resizeCrop(src, 6, 2, new BucketFit(512, new Bucket(4, 1), 6, 2, 1, 1)), 4);
    assertThat(out).containsExactly(new float[] {12, 13, 14, 15}, within(1e-3f));
  }

  @Test
  void flips() {
    float[] a = {1, 2, 3, 4, 5, 6, /* g */ 1, 2, 3, 4, 5, 6, /* b */ 1, 2, 3, 4, 5, 6};   // [3, 2, 3]
    float[] x = a.clone();
    Resampler.flip(x, 3, 2, true, false);
    assertThat(java.util.Arrays.copyOf(x, 6)).containsExactly(3, 2, 1, 6, 5, 4);
    float[] y = a.clone();
    Resampler.flip(y, 3, 2, false, true);
    assertThat(java.util.Arrays.copyOfRange(y, 12, 18)).containsExactly(4, 5, 6, 1, 2, 3);
    float[] xy = a.clone();
    Resampler.flip(xy, 3, 2, true, true);
    assertThat(java.util.Arrays.copyOf(xy, 6)).containsExactly(6, 5, 4, 3, 2, 1);
  }

  @Test
  void largeDownscale_flatImageStaysFlat() {
    int w = 1920;
    int h = 1080;
    int[] src = new int[w * h];
    java.util.Arrays.fill(src, 0x336699);
    BucketFit f = Buckets.fit(w, h, 512, 16).orElseThrow();
    float[] out = Resampler.resizeCrop(src, w, h, f);
    int n = f.bucket().width() * f.bucket().height();
    assertThat(out).hasSize(3 * n);
    for (int i = 0; i < n; i += 97) {
      assertThat((out[i] + 1) * 127.5f).isCloseTo(0x33, within(1e-3f));
      assertThat((out[2 * n + i] + 1) * 127.5f).isCloseTo(0x99, within(1e-3f));
    }
  }
}
