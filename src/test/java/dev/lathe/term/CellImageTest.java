package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class CellImageTest {
  @Test
  void halfBlocks_quadrants_topPixelIsForeground_bottomIsBackground() {
    CellImage c = CellImage.halfBlocks(TestImages.quadrants(4, 4), 4, 2);   // exactly 4×4 px: no scaling
    assertThat(c.lines()).containsExactly("▀▀▀▀", "▀▀▀▀");
    assertThat(c.fg(0, 0)).isEqualTo(0xff0000);
    assertThat(c.bg(0, 0)).isEqualTo(0xff0000);
    assertThat(c.fg(3, 0)).isEqualTo(0x00ff00);
    assertThat(c.fg(0, 1)).isEqualTo(0x0000ff);
    assertThat(c.bg(3, 1)).isEqualTo(0xffffff);
  }

  @Test
  void halfBlocks_wideImage_isCentredVertically_restBlank() {
    BufferedImage img = new BufferedImage(8, 2, BufferedImage.TYPE_INT_RGB);  // 8×2 px into 8×4 cells (8×8 px)
    for (int x = 0; x < 8; x++) { img.setRGB(x, 0, 0x112233); img.setRGB(x, 1, 0x445566); }
    CellImage c = CellImage.halfBlocks(img, 8, 4);
    assertThat(c.lines()).containsExactly("        ", "▀▀▀▀▀▀▀▀", "        ", "        "); // 3 px margin, cell-aligned
    assertThat(c.fg(0, 1)).isEqualTo(0x112233);
    assertThat(c.bg(0, 1)).isEqualTo(0x445566);
    assertThat(c.fg(0, 0)).isEqualTo(CellImage.DEFAULT);
  }

  @Test
  void ascii_ramp_blackToWhite() {
    BufferedImage img = new BufferedImage(10, 2, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 10; x++) {
      int v = x * 255 / 9;
      img.setRGB(x, 0, v << 16 | v << 8 | v);
      img.setRGB(x, 1, v << 16 | v << 8 | v);
    }
    CellImage c = CellImage.ascii(img, 10, 1);
    assertThat(c.lines()).containsExactly(" .:-=+*#%@");
    assertThat(c.fg(5, 0)).isEqualTo(CellImage.DEFAULT);
  }

  @Test
  void fit_keepsAspect_andNeverExceedsTheBox() {
    BufferedImage out = Images.fit(TestImages.scene(400, 100, 1), 50, 50);
    assertThat(out.getWidth()).isEqualTo(50);
    assertThat(out.getHeight()).isBetween(12, 13);
  }
}
