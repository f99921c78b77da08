package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.terminal.ansi.ANSITerminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A real ANSI terminal writer (Lanterna's escape sequences, our raw image strings) into any stream, with a size set by
 * the caller and no keyboard: for counting the bytes a screen sends ({@code lathe bench console}) and for tests that
 * check image re-sends without a TTY.
 */
public final class HeadlessAnsiTerminal extends ANSITerminal implements RawOutput {
  private volatile TerminalSize size;
  private volatile boolean cleared = true;

  public HeadlessAnsiTerminal(OutputStream out, TerminalSize size) {
    super(new InputStream() {
      @Override
      public int read() {
        return -1;
      }

      @Override
      public int available() {
        return 0;
      }
    }, out, StandardCharsets.UTF_8);
    this.size = size;
  }

  @Override
  protected TerminalSize findTerminalSize() {
    return size;
  }

  /** As a SIGWINCH would: the screen picks the new size up at its next refresh. */
  void resize(TerminalSize s) {
    size = s;
    onResized(s);
  }

  @Override
  public void writeRaw(String escapes) throws IOException {
    writeToTerminal(escapes.getBytes(StandardCharsets.UTF_8));
    flush();
  }

  @Override
  public boolean takeCleared() {
    boolean c = cleared;
    cleared = false;
    return c;
  }

  @Override
  public void clearScreen() throws IOException {
    super.clearScreen();
    cleared = true;
  }
}
