package dev.lathe.term;

import java.util.Locale;

/**
 * How images reach the screen. The first three write escape strings into a reserved rectangle after Lanterna's
 * refresh; the last three draw into ordinary cells.
 */
public enum GraphicsProtocol {
  /** DEC sixel, our own encoder ({@link Sixel}). */
  SIXEL,
  /** kitty graphics protocol: base64 PNG in APC chunks ({@link KittyImages}). */
  KITTY,
  /** iTerm2 inline images, OSC 1337 ({@link ITerm2Images}). */
  ITERM2,
  /** Unicode upper half-blocks, two pixels per cell ({@link CellImage#halfBlocks}). */
  HALFBLOCK,
  /** An ASCII brightness ramp, for mono or non-Unicode terminals ({@link CellImage#ascii}). */
  ASCII,
  /** No previews: a text badge only. */
  NONE;

  /** True when images are escape strings written around Lanterna rather than cells drawn through it. */
  public boolean isRaw() {
    return this == SIXEL || this == KITTY || this == ITERM2;
  }

  /**
   * Parses a {@code --graphics} value: {@code sixel|kitty|iterm2|blocks|halfblock|ascii|none}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static GraphicsProtocol parse(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "sixel": return SIXEL;
      case "kitty": return KITTY;
      case "iterm2": case "iterm": return ITERM2;
      case "blocks": case "block": case "halfblock": case "halfblocks": return HALFBLOCK;
      case "ascii": case "tty": return ASCII;
      case "none": case "off": return NONE;
      default:
        throw new IllegalArgumentException("graphics '" + s + "' is not one of auto, sixel, kitty, iterm2, blocks, ascii, none");
    }
  }

  /** The flag value that selects this protocol. */
  public String flag() {
    return this == HALFBLOCK ? "blocks" : name().toLowerCase(Locale.ROOT);
  }
}
