package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ColorRoundingTest {
  @Test
  void to256_orange_is208_asJLineRoundsIt() {
    assertThat(ColorRounding.to256(0xff8000)).isEqualTo(208);       // measured in tui-ecosystem.md §2.2
  }

  @Test
  void to256_cubeColours_mapToThemselves() {
    for (int i = 16; i < 256; i++) assertThat(ColorRounding.to256(ColorRounding.rgbOf256(i))).as("index %d", i).isEqualTo(i);
  }

  @Test
  void to256_greys_preferTheGreyRamp() {
    assertThat(ColorRounding.to256(0x808080)).isEqualTo(244);         // 8 + 10·12 = 128
    assertThat(ColorRounding.to256(0x000000)).isEqualTo(16);          // cube black beats grey 8
    assertThat(ColorRounding.to256(0xffffff)).isEqualTo(231);
  }

  @Test
  void to256_isNearestOverTheWholeTable_onASample() {
    java.util.Random rnd = new java.util.Random(1);
    for (int k = 0; k < 2000; k++) {
      int rgb = rnd.nextInt(1 << 24);
      int got = ColorRounding.to256(rgb);
      long best = Long.MAX_VALUE;
      for (int i = 16; i < 256; i++) best = Math.min(best, ColorRounding.distance(rgb, ColorRounding.rgbOf256(i)));
      // the per-channel cube snap is not always the global nearest; it must stay within a small factor of it
      assertThat(ColorRounding.distance(rgb, ColorRounding.rgbOf256(got))).isLessThanOrEqualTo(best * 3 + 3000);
    }
  }

  @Test
  void to16_primaries_andBrights() {
    assertThat(ColorRounding.to16(0xcd0000)).isEqualTo(1);
    assertThat(ColorRounding.to16(0xff0000)).isEqualTo(9);
    assertThat(ColorRounding.to16(0x00ff00)).isEqualTo(10);
    assertThat(ColorRounding.to16(0x101010)).isEqualTo(0);
    assertThat(ColorRounding.to16(0xfafafa)).isEqualTo(15);
    assertThat(ColorRounding.to16(0xe0e0e0)).isEqualTo(7);
    assertThat(ColorRounding.to16(0x2e3440)).isEqualTo(0);            // nord's dark background folds to black
  }

  @Test
  void rgbOf256_rejectsOutOfRange() {
    assertThatThrownBy(() -> ColorRounding.rgbOf256(256)).hasMessageContaining("0..255");
  }

  @Test
  void luminance_blackWhite() {
    assertThat(ColorRounding.luminance(0)).isZero();
    assertThat(ColorRounding.luminance(0xffffff)).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }
}
