package dev.lathe.tui;

/** A theme or keymap file that cannot be used; the message is one line: {@code file:line: key: problem}. */
public final class ThemeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ThemeException(String message) {
    super(message);
  }
}
