package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.EmptySpace;
import com.googlecode.lanterna.gui2.DefaultWindowManager;
import com.googlecode.lanterna.gui2.MultiWindowTextGUI;
import com.googlecode.lanterna.gui2.SameTextGUIThread;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.TextColor;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.KittyImages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lanterna's window GUI plus raw images: after each refresh it writes the escape string of every {@link ImageSlot}
 * drawn in that frame, but only when the picture, the slot's rectangle or a full redraw changed it (tui-ecosystem.md
 * §3.6). A slot that left the screen is erased: kitty images are deleted; sixel and iTerm2 pixels are cleared by a
 * complete redraw. While an overlay window is open nothing is written, and everything is re-sent when it closes.
 */
final class ConsoleGUI extends MultiWindowTextGUI implements ImageSlot.Host {
  private record Sent(long version, TerminalPosition at, TerminalSize size) {}

  private final RawOutput raw;
  private final Skin skin;
  private final List<ImageSlot> drawn = new ArrayList<>();
  private final Map<ImageSlot, Sent> sent = new IdentityHashMap<>();
  private boolean completeNext;
  private long emits;
  private long frames;
  private long bytesSent;

  ConsoleGUI(Screen screen, RawOutput raw, Skin skin) {
    super(new SameTextGUIThread.Factory(), screen, new DefaultWindowManager(), null, new EmptySpace(TextColor.ANSI.DEFAULT));
    this.raw = raw;
    this.skin = skin;
  }

  @Override
  public void drawn(ImageSlot slot) {
    if (!drawn.contains(slot)) drawn.add(slot);
  }

  /** The next update repaints every cell (Ctrl-L) and so re-sends images. */
  void completeRedraw() {
    completeNext = true;
    invalidate();
  }

  /** Image strings written so far (tests count re-sends). */
  long emits() {
    return emits;
  }

  /** Screen updates so far. */
  long frames() {
    return frames;
  }

  long imageBytes() {
    return bytesSent;
  }

  @Override
  public synchronized void updateScreen() throws IOException {
    drawn.clear();
    frames++;
    super.updateScreen();
    if (completeNext) {
      completeNext = false;
      getScreen().refresh(Screen.RefreshType.COMPLETE);
    }
    sendImages();
  }

  private void sendImages() throws IOException {
    GraphicsProtocol proto = skin.profile().graphics();
    if (raw == null || !proto.isRaw()) {
      sent.clear();
      return;
    }
    boolean cleared = raw.takeCleared();
    boolean overlay = getWindows().size() > 1;
    boolean needClear = false;
    StringBuilder out = new StringBuilder();
    for (ImageSlot s : new ArrayList<>(sent.keySet())) {
      boolean gone = !drawn.contains(s) || overlay;
      Sent was = sent.get(s);
      boolean moved = !gone && (!was.at().equals(s.screenPosition()) || !was.size().equals(s.getSize()));
      if (gone || moved) {
        if (proto == GraphicsProtocol.KITTY) {
          String del = KittyImages.delete(s.kittyId());
          out.append(skin.profile().tmux() ? KittyImages.tmuxPassthrough(del) : del);
        } else if (!cleared) {
          needClear = true;                  // text cells do not erase pixels that Lanterna believes are blank
        }
        sent.remove(s);
      }
    }
    if (needClear) {
      getScreen().refresh(Screen.RefreshType.COMPLETE);
      raw.takeCleared();
      cleared = true;
    }
    if (cleared) sent.clear();
    if (!overlay) {
      for (ImageSlot s : drawn) {
        String esc = s.escapes();
        if (esc == null || !s.isVisible()) continue;
        TerminalPosition at = s.screenPosition();
        TerminalSize size = s.getSize();
        Sent was = sent.get(s);
        if (was != null && was.version() == s.version() && was.at().equals(at) && was.size().equals(size)) continue;
        out.append("\u001b7\u001b[").append(at.getRow() + 1).append(';').append(at.getColumn() + 1).append('H')
            .append(esc).append("\u001b8");
        sent.put(s, new Sent(s.version(), at, size));
        emits++;
      }
    }
    if (out.length() > 0) {
      bytesSent += out.length();
      raw.writeRaw(out.toString());
    }
  }
}
