package dev.lathe.tui;

import java.io.IOException;

/**
 * A terminal that can take escape strings Lanterna knows nothing about (sixel, kitty, iTerm2 images), written around
 * Lanterna's own output, and that tells when Lanterna cleared the screen (which wipes such images).
 */
public interface RawOutput {
  /** Writes {@code escapes} as they are, and flushes. */
  void writeRaw(String escapes) throws IOException;

  /** True once after each clear of the screen (a full redraw, a resize): images must be sent again. */
  boolean takeCleared();
}
