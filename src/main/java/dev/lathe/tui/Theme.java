package dev.lathe.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.SimpleTheme;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.lathe.term.ColorDepth;
import dev.lathe.term.ColorRounding;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A colour theme: a {@link Spec} per {@link Role}, as written in {@code themes/*.toml}, folded once to a terminal's
 * {@link ColorDepth} ({@link #fold}). Immutable; load them with {@link Themes}. Widgets ask {@link #style(Role)} or
 * {@link #apply(TextGraphics, Role)}.
 */
public final class Theme {

  /** A colour as written: the terminal default, one of the 16 ANSI colours, a 256-palette index, or 24-bit RGB. */
  public record Colour(Kind kind, int value) {
    public enum Kind { DEFAULT, ANSI, INDEXED, RGB }

    public static final Colour DEFAULT = new Colour(Kind.DEFAULT, 0);

    public static Colour rgb(int rgb) {
      return new Colour(Kind.RGB, rgb & 0xffffff);
    }

    /** 0xRRGGBB of this colour (xterm's values for ANSI and indexed), or -1 for the default. */
    public int toRgb() {
      switch (kind) {
        case DEFAULT: return -1;
        case RGB: return value;
        default: return ColorRounding.rgbOf256(value);
      }
    }

    TextColor fold(ColorDepth depth) {
      if (kind == Kind.DEFAULT || depth == ColorDepth.MONO) return TextColor.ANSI.DEFAULT;
      if (kind == Kind.ANSI) return ansi(value);
      switch (depth) {
        case TRUECOLOR:
          return kind == Kind.RGB ? new TextColor.RGB((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
              : new TextColor.Indexed(value);
        case COLORS_256:
          return kind == Kind.RGB ? new TextColor.Indexed(ColorRounding.to256(value)) : new TextColor.Indexed(value);
        default:
          return ansi(kind == Kind.INDEXED && value < 16 ? value : ColorRounding.to16(toRgb()));
      }
    }
  }

  /** What a theme file says for one role. */
  public record Spec(Colour fg, Colour bg, Set<SGR> sgr) {
    public Spec {
      sgr = sgr.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(sgr));
    }
  }

  /** A role folded to the terminal: what Lanterna draws with. */
  public record Style(TextColor fg, TextColor bg, Set<SGR> sgr) {}

  private final String name;
  private final Map<Role, Spec> specs;
  private final ColorDepth depth;
  private final Map<Role, Style> styles;

  Theme(String name, Map<Role, Spec> specs, ColorDepth depth) {
    for (Role r : Role.values()) if (!specs.containsKey(r)) throw new IllegalArgumentException("theme " + name + " lacks role " + r.key());
    this.name = name;
    this.specs = Collections.unmodifiableMap(new EnumMap<>(specs));
    this.depth = depth;
    EnumMap<Role, Style> st = new EnumMap<>(Role.class);
    for (Map.Entry<Role, Spec> e : specs.entrySet()) st.put(e.getKey(), fold(e.getValue(), depth));
    this.styles = Collections.unmodifiableMap(st);
  }

  private static Style fold(Spec s, ColorDepth depth) {
    EnumSet<SGR> sgr = s.sgr().isEmpty() ? EnumSet.noneOf(SGR.class) : EnumSet.copyOf(s.sgr());
    // without colour a highlighted background would vanish: show it as reverse video instead
    if (depth == ColorDepth.MONO && s.bg().kind() != Colour.Kind.DEFAULT) sgr.add(SGR.REVERSE);
    return new Style(s.fg().fold(depth), s.bg().fold(depth), Collections.unmodifiableSet(sgr));
  }

  public String name() {
    return name;
  }

  public ColorDepth depth() {
    return depth;
  }

  /** The spec as written in the file, before folding. */
  public Spec spec(Role role) {
    return specs.get(role);
  }

  /** This theme with its colours folded to {@code depth}. Folding is from the file's values, so it never compounds. */
  public Theme fold(ColorDepth d) {
    return d == depth ? this : new Theme(name, specs, d);
  }

  public Style style(Role role) {
    return styles.get(role);
  }

  /**
   * Sets {@code g}'s colours and modifiers to {@code role}'s. A role without its own background gets the screen's
   * (TEXT's), never the terminal default: graphics Lanterna hands out start at the default, and on a theme with its
   * own background that would leave holes the terminal's colour shows through.
   */
  public TextGraphics apply(TextGraphics g, Role role) {
    Style s = styles.get(role);
    g.setForegroundColor(s.fg());
    g.setBackgroundColor(s.bg() != TextColor.ANSI.DEFAULT ? s.bg() : styles.get(Role.TEXT).bg());
    g.clearModifiers();
    if (!s.sgr().isEmpty()) g.enableModifiers(s.sgr().toArray(new SGR[0]));
    return g;
  }

  /** Same as {@link #apply}: for text drawn over a pane. */
  public TextGraphics applyFg(TextGraphics g, Role role) {
    return apply(g, role);
  }

  /**
   * Layers {@code role} over what {@code g} is set to (a filled bar): its colours where they are not the default,
   * plus its modifiers, keeping the modifiers already on.
   */
  public TextGraphics applyOver(TextGraphics g, Role role) {
    Style s = styles.get(role);
    if (s.fg() != TextColor.ANSI.DEFAULT) g.setForegroundColor(s.fg());
    if (s.bg() != TextColor.ANSI.DEFAULT) g.setBackgroundColor(s.bg());
    if (!s.sgr().isEmpty()) g.enableModifiers(s.sgr().toArray(new SGR[0]));
    return g;
  }

  /** An arbitrary 24-bit colour (a picture's pixel) folded to this theme's depth; -1 gives the default colour. */
  public TextColor pixel(int rgb) {
    return rgb < 0 ? TextColor.ANSI.DEFAULT : Colour.rgb(rgb).fold(depth);
  }

  /** A Lanterna theme with the same base colours, for stock components (panels' fill, dialogs). */
  public com.googlecode.lanterna.graphics.Theme lanterna() {
    Style t = style(Role.TEXT), sel = style(Role.SELECTED);
    return SimpleTheme.makeTheme(true, t.fg(), t.bg(), t.fg(), t.bg(), sel.fg(), sel.bg(), t.bg());
  }

  @Override
  public String toString() {
    return name + "@" + depth.flag();
  }

  static TextColor.ANSI ansi(int i) {
    TextColor.ANSI[] normal = {TextColor.ANSI.BLACK, TextColor.ANSI.RED, TextColor.ANSI.GREEN, TextColor.ANSI.YELLOW,
        TextColor.ANSI.BLUE, TextColor.ANSI.MAGENTA, TextColor.ANSI.CYAN, TextColor.ANSI.WHITE};
    TextColor.ANSI[] bright = {TextColor.ANSI.BLACK_BRIGHT, TextColor.ANSI.RED_BRIGHT, TextColor.ANSI.GREEN_BRIGHT,
        TextColor.ANSI.YELLOW_BRIGHT, TextColor.ANSI.BLUE_BRIGHT, TextColor.ANSI.MAGENTA_BRIGHT,
        TextColor.ANSI.CYAN_BRIGHT, TextColor.ANSI.WHITE_BRIGHT};
    return i < 8 ? normal[i] : bright[i - 8];
  }
}
