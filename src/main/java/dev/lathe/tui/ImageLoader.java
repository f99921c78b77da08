package dev.lathe.tui;

import dev.lathe.term.CellImage;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.ITerm2Images;
import dev.lathe.term.Images;
import dev.lathe.term.KittyImages;
import dev.lathe.term.Sixel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Decodes, scales and encodes sample images off the GUI thread, then hands the result to the GUI thread. Decoded
 * pictures are cached by path and modification time (a few), so stepping through samples is instant.
 */
public final class ImageLoader {
  /**
   * What a slot asked for: the file, its size in cells, the cell size in pixels and the protocol.
   */
  public record Request(Path path, int cols, int rows, int cellW, int cellH, GraphicsProtocol protocol,
      int registers, int kittyId, boolean tmux) {}

  /** A finished rendering: an escape string (raw protocols) or cells, or an error line. */
  public record Result(Request request, String escapes, CellImage cells, String error) {}

  private final Executor background;
  private final Executor gui;
  private final Map<String, BufferedImage> decoded = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, BufferedImage> e) {
      return size() > 8;
    }
  };

  /**
   * @param background where decoding runs (one daemon thread in the console; {@code Runnable::run} in tests)
   * @param gui        where results are delivered (the GUI thread's invokeLater)
   */
  public ImageLoader(Executor background, Executor gui) {
    this.background = background;
    this.gui = gui;
  }

  /** Starts rendering {@code r}; {@code done} runs on the GUI thread. */
  public void load(Request r, Consumer<Result> done) {
    background.execute(() -> {
      Result res = render(r);
      gui.execute(() -> done.accept(res));
    });
  }

  /** The modification time of {@code p}, -1 when it cannot be read (background thread only). */
  static long mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return -1;
    }
  }

  Result render(Request r) {
    try {
      BufferedImage img;
      String key = r.path() + "@" + mtime(r.path());
      synchronized (decoded) {
        img = decoded.get(key);
      }
      if (img == null) {
        img = ImageIO.read(r.path().toFile());
        if (img == null) return new Result(r, null, null, "not an image: " + r.path().getFileName());
        synchronized (decoded) {
          decoded.put(key, img);
        }
      }
      switch (r.protocol()) {
        case HALFBLOCK:
          return new Result(r, null, CellImage.halfBlocks(img, r.cols(), r.rows()), null);
        case ASCII:
          return new Result(r, null, CellImage.ascii(img, r.cols(), r.rows()), null);
        case NONE:
          return new Result(r, null, null, null);
        default:
          break;
      }
      BufferedImage fitted = Images.fit(img, r.cols() * r.cellW(), r.rows() * r.cellH());
      String esc;
      switch (r.protocol()) {
        case SIXEL: esc = Sixel.encode(fitted, new Sixel.Options(Math.max(2, Math.min(256, r.registers())), false)); break;
        case KITTY: esc = KittyImages.display(fitted, r.kittyId(), r.cols(), r.rows()); break;
        default: esc = ITerm2Images.display(fitted, r.cols(), r.rows()); break;
      }
      if (r.tmux() && r.protocol() != GraphicsProtocol.SIXEL) esc = KittyImages.tmuxPassthrough(esc);
      return new Result(r, esc, null, null);
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
      return new Result(r, null, null, "cannot read " + r.path().getFileName() + ": " + m);
    }
  }
}
