package dev.lathe.term;

import java.util.List;

/**
 * What the terminal can do, decided once at start-up by {@link TermProbe}. Immutable; the console switches graphics or
 * colour depth live by deriving a new profile ({@link #withGraphics}, {@link #withColors}).
 *
 * @param colors         colour depth every theme colour is folded to
 * @param graphics       how image previews are drawn
 * @param cellWidthPx    width of one cell in pixels, 0 when the terminal did not say
 * @param cellHeightPx   height of one cell in pixels, 0 when the terminal did not say
 * @param tmux           running inside tmux ({@code $TMUX}); raw image strings then need passthrough
 * @param unicode        braille, block and box glyphs are safe; otherwise charts fall back to ASCII
 * @param fullScreen     false for {@code TERM=dumb} or no terminal at all: no full-screen console
 * @param columns        size at probe time (Lanterna follows resizes itself)
 * @param rows           size at probe time
 * @param sixelRegisters colour registers for sixel (XTSMGRAPHICS), 256 when unknown
 * @param terminal       what the terminal called itself (XTVERSION, {@code $TERM_PROGRAM} or {@code $TERM})
 * @param notes          one line per decision, for {@code lathe probe}
 * @param background     the terminal's background colour 0xRRGGBB (OSC 11), -1 when unknown
 */
public record TermProfile(ColorDepth colors, GraphicsProtocol graphics, int cellWidthPx, int cellHeightPx,
    boolean tmux, boolean unicode, boolean fullScreen, int columns, int rows, int sixelRegisters, String terminal,
    List<String> notes, int background) {

  /** Cell size assumed for sizing raw images when the terminal does not report one. */
  public static final int DEFAULT_CELL_WIDTH = 10;
  public static final int DEFAULT_CELL_HEIGHT = 20;

  public TermProfile {
    if (colors == null || graphics == null) throw new IllegalArgumentException("colors and graphics are required");
    if (cellWidthPx < 0 || cellHeightPx < 0) throw new IllegalArgumentException("cell size must be >= 0");
    terminal = terminal == null ? "" : terminal;
    notes = List.copyOf(notes);
    sixelRegisters = sixelRegisters <= 0 ? 256 : Math.min(sixelRegisters, 1024);
  }

  /** A profile for tests and virtual terminals: truecolor, half-block previews, Unicode, no tmux. */
  public static TermProfile virtual(int columns, int rows) {
    return new TermProfile(ColorDepth.TRUECOLOR, GraphicsProtocol.HALFBLOCK, 0, 0, false, true, true, columns, rows,
        256, "virtual", List.of(), -1);
  }

  /** The background is known and light (relative luminance above one half): dark-on-light colours read better. */
  public boolean lightBackground() {
    return background >= 0 && ColorRounding.luminance(background) > 0.5;
  }

  /** Cell width to size images with: the reported one, else {@link #DEFAULT_CELL_WIDTH}. */
  public int cellWidthOrDefault() {
    return cellWidthPx > 0 ? cellWidthPx : DEFAULT_CELL_WIDTH;
  }

  /** Cell height to size images with: the reported one, else {@link #DEFAULT_CELL_HEIGHT}. */
  public int cellHeightOrDefault() {
    return cellHeightPx > 0 ? cellHeightPx : DEFAULT_CELL_HEIGHT;
  }

  public TermProfile withGraphics(GraphicsProtocol g) {
    return new TermProfile(colors, g, cellWidthPx, cellHeightPx, tmux, unicode, fullScreen, columns, rows,
        sixelRegisters, terminal, notes, background);
  }

  public TermProfile withColors(ColorDepth c) {
    return new TermProfile(c, graphics, cellWidthPx, cellHeightPx, tmux, unicode, fullScreen, columns, rows,
        sixelRegisters, terminal, notes, background);
  }

  /** A few lines for {@code lathe probe}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("terminal   ").append(terminal.isEmpty() ? "?" : terminal).append(tmux ? " (inside tmux)" : "").append('\n');
    sb.append("size       ").append(columns).append('x').append(rows).append(" cells");
    if (cellWidthPx > 0) sb.append(", cell ").append(cellWidthPx).append('x').append(cellHeightPx).append(" px");
    sb.append('\n');
    sb.append("colours    ").append(colors.flag()).append('\n');
    sb.append("graphics   ").append(graphics.flag());
    if (graphics == GraphicsProtocol.SIXEL) sb.append(" (").append(sixelRegisters).append(" registers)");
    sb.append('\n');
    sb.append("unicode    ").append(unicode ? "yes" : "no").append('\n');
    if (background >= 0) {
      sb.append("background ").append(String.format("#%06x", background)).append(lightBackground() ? " (light)" : " (dark)").append('\n');
    }
    sb.append("console    ").append(fullScreen ? "full screen" : "not available (dumb terminal)").append('\n');
    for (String n : notes) sb.append("  - ").append(n).append('\n');
    return sb.toString();
  }
}
