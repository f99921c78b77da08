package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageWritersTest {
  @Test
  void kitty_chunksAtMost4096_firstCarriesPlacement_lastHasM0_payloadIsThePng() throws Exception {
    BufferedImage img = TestImages.scene(200, 150, 1);               // large enough for several chunks
    String s = KittyImages.display(img, 7, 30, 12);
    Matcher m = Pattern.compile("\u001b_G([^;]*);([^\u001b]*)\u001b\\\\").matcher(s);
    List<String> keys = new ArrayList<>();
    StringBuilder payload = new StringBuilder();
    int end = 0;
    while (m.find()) {
      assertThat(m.start()).isEqualTo(end);                          // nothing between chunks
      end = m.end();
      keys.add(m.group(1));
      assertThat(m.group(2).length()).isLessThanOrEqualTo(4096);
      payload.append(m.group(2));
    }
    assertThat(end).isEqualTo(s.length());
    assertThat(keys.size()).isGreaterThan(1);
    assertThat(keys.get(0)).contains("a=T", "f=100", "i=7", "c=30", "r=12", "q=2", "m=1");
    assertThat(keys.get(keys.size() - 1)).isEqualTo("m=0");
    for (String k : keys.subList(1, keys.size() - 1)) assertThat(k).isEqualTo("m=1");
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(payload.toString())));
    assertThat(back.getWidth()).isEqualTo(200);
    assertThat(TestImages.maxAbsError(img, back)).isZero();
  }

  @Test
  void kitty_tmuxPassthrough_doublesEveryEsc() {
    String wrapped = KittyImages.tmuxPassthrough(KittyImages.delete(3));
    assertThat(wrapped).startsWith("\u001bPtmux;\u001b\u001b_G").endsWith("\u001b\u001b\\\u001b\\");
  }

  @Test
  void iterm2_osc1337_withCellSize_andPngPayload() throws Exception {
    BufferedImage img = TestImages.quadrants(16, 8);
    String s = ITerm2Images.display(img, 20, 6);
    Matcher m = Pattern.compile("\u001b\\]1337;File=([^:]*):([A-Za-z0-9+/=]+)\u0007").matcher(s);
    assertThat(m.matches()).isTrue();
    assertThat(m.group(1)).contains("inline=1", "width=20", "height=6", "preserveAspectRatio=1");
    byte[] png = Base64.getDecoder().decode(m.group(2));
    assertThat(m.group(1)).contains("size=" + png.length);
    assertThat(TestImages.maxAbsError(img, ImageIO.read(new ByteArrayInputStream(png)))).isZero();
  }
}
