package dev.lathe.term;

import java.awt.image.BufferedImage;
import java.util.Base64;

/** iTerm2 inline image writer (OSC 1337, also understood by WezTerm): base64 PNG sized in cells. */
public final class ITerm2Images {
  private ITerm2Images() {}

  /** {@code ESC ]1337;File=inline=1;size=…;width=cols;height=rows;preserveAspectRatio=1:<base64> BEL}. */
  public static String display(BufferedImage image, int cols, int rows) {
    byte[] png = Images.png(image);
    return "\u001b]1337;File=inline=1;size=" + png.length + ";width=" + cols + ";height=" + rows
        + ";preserveAspectRatio=1;doNotMoveCursor=1:" + Base64.getEncoder().encodeToString(png) + "\u0007";
  }
}
