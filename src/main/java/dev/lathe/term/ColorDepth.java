package dev.lathe.term;

import java.util.Locale;

/** How many colours the terminal shows, best first. Colours are always folded down, never up. */
public enum ColorDepth {
  TRUECOLOR, COLORS_256, COLORS_16, MONO;

  /**
   * Parses a {@code --color} value: {@code truecolor|24bit|256|16|8|none|mono|no}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ColorDepth parse(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "truecolor": case "24bit": case "rgb": return TRUECOLOR;
      case "256": return COLORS_256;
      case "16": case "8": return COLORS_16;
      case "none": case "mono": case "no": case "never": return MONO;
      default: throw new IllegalArgumentException("colour depth '" + s + "' is not one of truecolor, 256, 16, none");
    }
  }

  /** The flag value that selects this depth. */
  public String flag() {
    switch (this) {
      case TRUECOLOR: return "truecolor";
      case COLORS_256: return "256";
      case COLORS_16: return "16";
      default: return "none";
    }
  }
}
