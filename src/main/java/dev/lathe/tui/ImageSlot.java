package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import dev.lathe.term.CellImage;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.TermProfile;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A rectangle for a picture. With sixel, kitty or iTerm2 it paints constant blanks, so Lanterna's delta refreshes
 * never touch it, and the console writes the image's escape string there after the refresh, only when the image, the
 * rectangle or a full redraw changed ({@link ConsoleGUI}). With half-blocks or ASCII it draws the picture into its
 * cells. Decoding happens off the GUI thread ({@link ImageLoader}).
 */
public final class ImageSlot extends AbstractComponent<ImageSlot> {
  /** Told each time the slot is drawn, so the console knows which slots are on screen this frame. */
  public interface Host {
    void drawn(ImageSlot slot);
  }

  private static int nextKittyId = 1;

  private final Skin skin;
  private final ImageLoader loader;
  private final Host host;
  private final int kittyId = nextKittyId++;
  private Path source;
  private String badge = "";
  private ImageLoader.Request wanted;
  private ImageLoader.Result result;
  private long version;                          // bumps whenever the raw escape string changes

  public ImageSlot(Skin skin, ImageLoader loader, Host host) {
    this.skin = skin;
    this.loader = loader;
    this.host = host;
  }

  /** The picture to show, null for none. */
  public ImageSlot show(Path png) {
    if (!Objects.equals(png, source)) {
      source = png;
      invalidate();
    }
    return this;
  }

  /** A line shown when there is no picture, or instead of it when graphics are off. */
  public ImageSlot badge(String text) {
    if (!text.equals(badge)) {
      badge = text;
      invalidate();
    }
    return this;
  }

  public Path source() {
    return source;
  }

  int kittyId() {
    return kittyId;
  }

  /** The escape string to write at the slot's top-left now, or null (no picture, not ready, or a cell mode). */
  String escapes() {
    ImageLoader.Result r = result;
    return r != null && r.request().equals(wanted) ? r.escapes() : null;
  }

  /** Changes whenever {@link #escapes()} does. */
  long version() {
    return version;
  }

  /** The cell rectangle of the picture last drawn, in screen coordinates. */
  TerminalPosition screenPosition() {
    return toGlobal(TerminalPosition.TOP_LEFT_CORNER);
  }

  private void request(int cols, int rows) {
    TermProfile p = skin.profile();
    ImageLoader.Request r = source == null || cols < 1 || rows < 1 ? null
        : new ImageLoader.Request(source, cols, rows, p.cellWidthOrDefault(), p.cellHeightOrDefault(), p.graphics(),
            p.sixelRegisters(), kittyId, p.tmux());
    if (Objects.equals(r, wanted)) return;
    wanted = r;
    if (r == null || r.protocol() == GraphicsProtocol.NONE) return;
    loader.load(r, res -> {
      if (!res.request().equals(wanted)) return;            // superseded while it was decoding
      result = res;
      version++;
      invalidate();
    });
  }

  private ImageLoader.Result cellsFor;
  private Theme cellsTheme;
  private com.googlecode.lanterna.TextCharacter[][] cells;

  /** The picture's cells with colours folded to the theme's depth, built once per picture and theme. */
  private com.googlecode.lanterna.TextCharacter[][] cells(ImageLoader.Result r, Theme t) {
    if (r == cellsFor && t == cellsTheme) return cells;
    CellImage img = r.cells();
    com.googlecode.lanterna.TextCharacter[][] out = new com.googlecode.lanterna.TextCharacter[img.rows()][img.cols()];
    com.googlecode.lanterna.TextColor base = t.style(Role.TEXT).bg();
    for (int y = 0; y < img.rows(); y++) {
      for (int x = 0; x < img.cols(); x++) {
        String glyph = img.glyph(x, y);
        if (glyph.equals(" ") && img.bg(x, y) == CellImage.DEFAULT) continue;
        out[y][x] = com.googlecode.lanterna.TextCharacter.fromString(glyph, t.pixel(img.fg(x, y)),
            img.bg(x, y) == CellImage.DEFAULT ? base : t.pixel(img.bg(x, y)))[0];
      }
    }
    cellsFor = r;
    cellsTheme = t;
    cells = out;
    return out;
  }

  @Override
  protected ComponentRenderer<ImageSlot> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(ImageSlot c) {
        return new TerminalSize(24, 12);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, ImageSlot c) {
        Theme t = c.skin.theme();
        t.apply(g, Role.TEXT);
        g.fill(' ');
        int w = g.getSize().getColumns(), h = g.getSize().getRows();
        c.request(w, h);
        GraphicsProtocol proto = c.skin.profile().graphics();
        ImageLoader.Result r = c.result != null && c.result.request().equals(c.wanted) ? c.result : null;
        if (c.source == null || proto == GraphicsProtocol.NONE) {
          Frames.text(g, c.skin, Math.max(0, (w - c.badge.length()) / 2), h / 2, c.badge, Role.MUTED);
        } else if (r != null && r.error() != null) {
          Frames.text(g, c.skin, 0, h / 2, r.error(), Role.WARN);
        } else if (r != null && r.cells() != null) {
          com.googlecode.lanterna.TextCharacter[][] cells = c.cells(r, t);
          for (int y = 0; y < Math.min(h, cells.length); y++) {
            for (int x = 0; x < Math.min(w, cells[y].length); x++) if (cells[y][x] != null) g.setCharacter(x, y, cells[y][x]);
          }
        } else if (r == null && !proto.isRaw()) {
          Frames.text(g, c.skin, Math.max(0, (w - 8) / 2), h / 2, c.skin.unicode() ? "loading…" : "loading", Role.MUTED);
        }
        if (c.host != null) c.host.drawn(c);
      }
    };
  }
}
