package dev.lathe.tui;

import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/** Lanterna's UnixTerminal (UTF-8) with a raw-write hole for images and a flag raised by every clear. */
public final class RawUnixTerminal extends UnixTerminal implements RawOutput {
  private final AtomicBoolean cleared = new AtomicBoolean(true);

  /** The process's terminal; Ctrl-C arrives as a key (the console asks before quitting). */
  public RawUnixTerminal() throws IOException {
    this(System.in, System.out);
  }

  public RawUnixTerminal(InputStream in, OutputStream out) throws IOException {
    super(in, out, StandardCharsets.UTF_8, UnixLikeTerminal.CtrlCBehaviour.TRAP);
  }

  /**
   * Also turns off XON/XOFF flow control while the console runs, so Ctrl-S (save) and Ctrl-Q reach it instead of
   * freezing the terminal; the terminal's settings saved at start are restored at exit.
   */
  @Override
  protected void keyStrokeSignalsEnabled(boolean enabled) throws IOException {
    super.keyStrokeSignalsEnabled(enabled);
    runSTTYCommand(enabled ? "ixon" : "-ixon");
  }

  @Override
  public void writeRaw(String escapes) throws IOException {
    writeToTerminal(escapes.getBytes(StandardCharsets.UTF_8));
    flush();
  }

  @Override
  public boolean takeCleared() {
    return cleared.getAndSet(false);
  }

  @Override
  public void clearScreen() throws IOException {
    super.clearScreen();
    cleared.set(true);
  }
}
