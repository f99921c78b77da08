package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected buckets worked out by hand from the rules in {@link Buckets} (divisor 16 unless stated). */
class BucketsTest {

  @ParameterizedTest(name = "{0}x{1} @{2} -> {3}x{4}, resize {5}x{6}, crop {7},{8}")
  @CsvSource({
      // exact fit
      "1024, 1024, 1024, 1024, 1024, 1024, 1024, 0, 0",
      // larger square: downscale only
      "1200, 1200, 1024, 1024, 1024, 1024, 1024, 0, 0",
      "1200, 1200,  768,  768,  768,  768,  768, 0, 0",
      "900,   900,  768,  768,  768,  768,  768, 0, 0",
      // 16:9 at 1024: k=0.7111, w*k=1365.3 -> 1360|1376, h*k=768; 1376x768 > 1024^2, so 1360x768;
      // scale by 768/1080 -> 1365.33 rounds up to 1366, crop (1366-1360)/2 = 3
      "1920, 1080, 1024, 1360,  768, 1366,  768, 3, 0",
      // 16:9 at 768: k=0.5333 gives exactly 1024x576
      "1920, 1080,  768, 1024,  576, 1024,  576, 0, 0",
      // 16:9 at 512: w*k=682.7 -> 672|688, h*k=384; 688x384 > 512^2; scale 384/1080 -> 682.7 -> 683, crop 5
      "1920, 1080,  512,  672,  384,  683,  384, 5, 0",
      // square a little under 1024: 992x992 and 1008x1008 both square; 992^2 is closer to 1e6 in area
      "1000, 1000, 1024,  992,  992,  992,  992, 0, 0",
      // between 0.81 r^2 and r^2: own size rounded; 608x400 (ratio 1.52) beats 592x400 (1.48) for 1.5;
      // grows by 8 px: scale 608/600, height 405.3 -> 406, crop (406-400)/2 = 3
      "600,   400,  512,  608,  400,  608,  406, 0, 3",
      // 3:1 at 512: w*k=886.8 -> 880|896, h*k=295.6 -> 288|304; the x304 pairs exceed 512^2;
      // 880x288 (3.056) is closer to 3 than 896x288 (3.111); scale 880/3000, 293.3 -> 294, crop 3
      "3000, 1000,  512,  880,  288,  880,  294, 0, 3",
      // portrait exactly on multiples
      "768,  1344, 1024,  768, 1344,  768, 1344, 0, 0",
      // 40:1 strip: 3232x80 (40.4) beats 3248x80 (40.6); 100*0.808 = 80.8 -> 81
      "4000,  100,  512, 3232,   80, 3232,   81, 0, 0",
  })
  void fit_handWorkedCases(int w, int h, int res, int bw, int bh, int rw, int rh, int cx, int cy) {
    BucketFit f = Buckets.fit(w, h, res, 16).orElseThrow();
    assertThat(f).isEqualTo(new BucketFit(res, new Bucket(bw, bh), rw, rh, cx, cy));
  }

  @Test
  void fit_imageTooSmallForResolution_isEmpty() {
    // 900^2 = 810000 < 0.81 * 1024^2 = 849347: the seed guide's example, 900x900 does not train at 1024
    assertThat(Buckets.fit(900, 900, 1024, 16)).isEmpty();
    assertThat(Buckets.fit(400, 400, 512, 16)).isEmpty();
    // the edge: sqrt(area) = 0.9 r exactly counts (0.9 * 1000 = 900)
    assertThat(Buckets.fit(900, 900, 1000, 20)).isPresent();
    assertThat(Buckets.fit(899, 900, 1000, 20)).isEmpty();
  }

  @Test
  void fits_resolutionList_oncePerResolutionTheImageFills() {
    assertThat(Buckets.fits(900, 900, List.of(768, 1024), 16)).extracting(BucketFit::resolution).containsExactly(768);
    assertThat(Buckets.fits(1200, 1200, List.of(512, 768, 1024), 16))
        .extracting(f -> f.bucket().toString()).containsExactly("512x512", "768x768", "1024x1024");
    assertThat(Buckets.fits(300, 300, List.of(512, 768), 16)).isEmpty();
  }

  @Test
  void fit_divisor32_sidesAreMultiples() {
    // 1920x1080 at 1024 with d=32: w*k=1365.3 -> 1344|1376, h*k=768; 1376x768 too big -> 1344x768;
    // scale max(0.7, 0.7111) = 768/1080 -> 1366x768, crop 11
    BucketFit f = Buckets.fit(1920, 1080, 1024, 32).orElseThrow();
    assertThat(f).isEqualTo(new BucketFit(1024, new Bucket(1344, 768), 1366, 768, 11, 0));
  }

  @ParameterizedTest(name = "{0}x{1} @{2} d{3}")
  @CsvSource({"1920,1080,1024,16", "1080,1920,768,16", "4032,3024,1024,16", "3024,4032,512,32", "1001,999,1024,16",
      "5000,200,768,16", "200,5000,512,16", "4096,4096,1536,64", "777,555,512,8", "512,512,512,16"})
  void fit_invariants(int w, int h, int res, int d) {
    BucketFit f = Buckets.fit(w, h, res, d).orElseThrow();
    Bucket b = f.bucket();
    assertThat(b.width() % d).isZero();
    assertThat(b.height() % d).isZero();
    assertThat(b.area()).isLessThanOrEqualTo((long) res * res);
    // aspect ratio kept: the resize is uniform up to the rounding of one side
    double s = Math.max((double) b.width() / w, (double) b.height() / h);
    assertThat(f.resizedWidth()).isEqualTo((int) Math.max(b.width(), Math.ceil(w * s - 1e-9)));
    assertThat(f.resizedHeight()).isEqualTo((int) Math.max(b.height(), Math.ceil(h * s - 1e-9)));
    // never upscaled beyond rounding: the resized image exceeds the original by less than a divisor step
    assertThat(f.resizedWidth()).isLessThan(Math.max(w + d, b.width() + 1));
    assertThat(f.resizedHeight()).isLessThan(Math.max(h + d, b.height() + 1));
    // centred crop
    assertThat(f.cropX()).isEqualTo((f.resizedWidth() - b.width()) / 2);
    assertThat(f.cropY()).isEqualTo((f.resizedHeight() - b.height()) / 2);
  }

  @Test
  void fit_badArguments_throw() {
    assertThatThrownBy(() -> Buckets.fit(0, 10, 512, 16)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Buckets.fit(10, 10, 8, 16)).hasMessageContaining("smaller than the divisor");
  }
}
