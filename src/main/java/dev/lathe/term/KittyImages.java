package dev.lathe.term;

import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * kitty graphics protocol writer: the image as base64 PNG ({@code f=100}) in APC chunks of at most 4096 payload
 * bytes, placed at the cursor and scaled by the terminal to {@code cols×rows} cells. Responses are suppressed
 * ({@code q=2}) so nothing comes back into the key input, and the cursor does not move ({@code C=1}).
 */
public final class KittyImages {
  /** Largest base64 payload of one chunk, as the protocol requires. */
  public static final int CHUNK = 4096;

  private KittyImages() {}

  /** Transmit-and-display ({@code a=T}) of {@code image} as image id {@code id} over {@code cols×rows} cells. */
  public static String display(BufferedImage image, int id, int cols, int rows) {
    String b64 = Base64.getEncoder().encodeToString(Images.png(image));
    StringBuilder sb = new StringBuilder(b64.length() + b64.length() / CHUNK * 16 + 64);
    int off = 0;
    boolean first = true;
    do {
      int end = Math.min(b64.length(), off + CHUNK);
      boolean more = end < b64.length();
      sb.append("\u001b_G");
      if (first) {
        sb.append("a=T,f=100,t=d,q=2,C=1,i=").append(id).append(",c=").append(cols).append(",r=").append(rows).append(',');
      }
      sb.append("m=").append(more ? 1 : 0).append(';').append(b64, off, end).append("\u001b\\");
      off = end;
      first = false;
    } while (off < b64.length());
    return sb.toString();
  }

  /** Deletes image {@code id} and its placements (call when its slot disappears). */
  public static String delete(int id) {
    return "\u001b_Ga=d,d=I,i=" + id + ",q=2\u001b\\";
  }

  /**
   * Wraps an escape string for tmux passthrough ({@code allow-passthrough on}): every ESC doubled inside
   * {@code ESC Ptmux; … ESC \}.
   */
  public static String tmuxPassthrough(String escapes) {
    return "\u001bPtmux;" + escapes.replace("\u001b", "\u001b\u001b") + "\u001b\\";
  }
}
