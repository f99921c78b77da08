package dev.lathe.term;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;

/**
 * Asks the terminal what it can do, once, before Lanterna takes it over. {@link #probe} opens a JLine system terminal
 * in raw mode, writes {@link TermReplies#QUERIES} in one go, collects the replies until DA1's arrives or the timeout
 * passes, restores the terminal settings and closes JLine. {@link #decide} then turns environment, replies and
 * overrides into a {@link TermProfile}; it is a pure function, tested on recorded replies.
 */
public final class TermProbe {

  /**
   * User overrides; null means "auto".
   *
   * @param color    {@code --color}
   * @param graphics {@code --graphics}
   * @param timeout  how long to wait for the replies in all (one round trip is normal; SSH adds latency)
   */
  public record Options(ColorDepth color, GraphicsProtocol graphics, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    public Options {
      timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    public static Options auto() {
      return new Options(null, null, null);
    }
  }

  private TermProbe() {}

  /**
   * Probes the controlling terminal of this process. Without a terminal (stdin or stdout not a TTY, or JLine only
   * offers a dumb one) nothing is written or read and the profile comes from the environment alone. Never throws:
   * a failed probe is a note in the profile.
   */
  public static TermProfile probe(Options options) {
    Map<String, String> env = System.getenv();
    List<String> notes = new ArrayList<>();
    boolean tty = System.console() != null;
    String term = env.getOrDefault("TERM", "");
    if (!tty || term.equals("dumb") || term.isEmpty()) {
      notes.add(!tty ? "stdin/stdout is not a terminal: no probe" : "TERM=" + (term.isEmpty() ? "(unset)" : term) + ": no probe");
      return decide(env, TermReplies.NONE, null, 80, 24, tty, options, notes);
    }
    String raw = "";
    Integer infoColors = null;
    int cols = 80, rows = 24;
    // graphemeCluster(false): otherwise JLine probes mode 2027 at build time, which starts its non-blocking reader
    // thread; that thread swallows the first byte of our replies and, left blocked on stdin after close, would steal
    // the user's first key from Lanterna (seen in tmux 3.3a with JLine 4.6.0)
    try (Terminal t = TerminalBuilder.builder().system(true).jni(true).exec(true).dumb(true).ffm(false)
        .nativeSignals(false).graphemeCluster(false).build()) {
      if (Terminal.TYPE_DUMB.equals(t.getType()) || Terminal.TYPE_DUMB_COLOR.equals(t.getType())) {
        notes.add("JLine offers only a dumb terminal: no probe");
      } else {
        Size size = t.getSize();
        if (size != null && size.getColumns() > 0) {
          cols = size.getColumns();
          rows = size.getRows();
        }
        infoColors = t.getNumericCapability(InfoCmp.Capability.max_colors);
        Attributes saved = t.enterRawMode();
        try {
          String q = term.startsWith("linux") ? TermReplies.QUERIES_NO_APC : TermReplies.QUERIES;
          long t0 = System.nanoTime();
          raw = exchange(System.in, t.output(), q, options.timeout());
          if (TermReplies.complete(raw)) notes.add("terminal answered in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } finally {
          t.setAttributes(saved);
        }
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      notes.add("probe failed (" + e.getClass().getSimpleName() + "): using the environment only");
    }
    TermReplies replies = TermReplies.parse(raw);
    if (replies.da1().isEmpty() && tty) notes.add("no DA1 reply within " + options.timeout().toMillis() + " ms");
    return decide(env, replies, infoColors, cols, rows, true, options, notes);
  }

  /**
   * Writes {@code queries} and collects replies until DA1's arrives or {@code timeout} passes. Reads only what
   * {@code in.available()} reports, so no thread is ever left blocked on the terminal after the probe, where it would
   * steal the user's first key from Lanterna.
   */
  static String exchange(InputStream in, OutputStream out, String queries, Duration timeout) throws IOException {
    out.write(queries.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[512];
    while (System.nanoTime() < deadline) {
      int n = in.available();
      if (n > 0) {
        int got = in.read(buf, 0, Math.min(n, buf.length));
        if (got < 0) break;
        sb.append(new String(buf, 0, got, StandardCharsets.ISO_8859_1));
        if (TermReplies.complete(sb)) break;
      } else {
        try {
          Thread.sleep(3);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return sb.toString();
  }

  /**
   * The profile for this environment, replies and overrides. Pure.
   *
   * @param env        environment variables (TERM, COLORTERM, NO_COLOR, TERM_PROGRAM, KITTY_WINDOW_ID, TMUX, LANG…)
   * @param replies    what the terminal answered; {@link TermReplies#NONE} when not probed
   * @param infoColors terminfo {@code max_colors}, null when unknown
   * @param tty        a terminal is attached at all
   * @param notes      earlier notes, appended to
   */
  public static TermProfile decide(Map<String, String> env, TermReplies replies, Integer infoColors, int cols,
      int rows, boolean tty, Options options, List<String> notes) {
    List<String> why = new ArrayList<>(notes);
    String term = env.getOrDefault("TERM", "");
    String program = env.getOrDefault("TERM_PROGRAM", "");
    boolean tmux = !env.getOrDefault("TMUX", "").isEmpty() || program.equals("tmux")
        || (replies.version() != null && replies.version().startsWith("tmux"));
    boolean fullScreen = tty && !term.equals("dumb") && !term.isEmpty();
    if (!fullScreen) why.add("no full-screen console: " + (!tty ? "not a terminal" : "TERM=" + (term.isEmpty() ? "(unset)" : term)));

    boolean unicode = unicodeLocale(env, term);
    if (!unicode) why.add("locale is not UTF-8: ASCII glyphs");

    ColorDepth colors = colors(env, term, program, infoColors, options, why);
    GraphicsProtocol graphics = graphics(env, term, program, replies, tmux, colors, unicode, options, why);

    int cw = 0, ch = 0;
    if (replies.cellWidthPx() > 0 && replies.cellHeightPx() > 0) {
      cw = replies.cellWidthPx();
      ch = replies.cellHeightPx();
    } else if (replies.windowWidthPx() > 0 && cols > 0 && rows > 0) {
      cw = replies.windowWidthPx() / cols;
      ch = replies.windowHeightPx() / rows;
    } else if (replies.graphicsWidthPx() > 0 && cols > 0 && rows > 0) {
      cw = replies.graphicsWidthPx() / cols;          // xterm: the sixel canvas is the text area
      ch = replies.graphicsHeightPx() / rows;
    }
    String name = replies.version() != null ? replies.version() : !program.isEmpty() ? program : term;
    return new TermProfile(colors, graphics, cw, ch, tmux, unicode, fullScreen, cols, rows,
        replies.sixelRegisters(), name, why, replies.background());
  }

  private static ColorDepth colors(Map<String, String> env, String term, String program, Integer infoColors,
      Options o, List<String> why) {
    if (o.color() != null) {
      why.add("colours from --color=" + o.color().flag());
      return o.color();
    }
    if (!env.getOrDefault("NO_COLOR", "").isEmpty()) {
      why.add("NO_COLOR is set: mono");
      return ColorDepth.MONO;
    }
    if (term.equals("dumb") || term.isEmpty()) return ColorDepth.MONO;
    String colorterm = env.getOrDefault("COLORTERM", "").toLowerCase(Locale.ROOT);
    if (colorterm.equals("truecolor") || colorterm.equals("24bit")) return ColorDepth.TRUECOLOR;
    if (term.endsWith("-direct") || term.equals("xterm-kitty") || term.equals("xterm-ghostty")
        || !env.getOrDefault("KITTY_WINDOW_ID", "").isEmpty() || !env.getOrDefault("WT_SESSION", "").isEmpty()
        || List.of("iTerm.app", "WezTerm", "vscode", "ghostty").contains(program)) {
      return ColorDepth.TRUECOLOR;
    }
    if (term.contains("256color")) return ColorDepth.COLORS_256;
    if (infoColors != null && infoColors > 0) {
      if (infoColors >= 256) return ColorDepth.COLORS_256;
      if (infoColors >= 8) return ColorDepth.COLORS_16;
      return ColorDepth.MONO;
    }
    if (term.startsWith("linux") || term.startsWith("vt") || term.startsWith("ansi")) return ColorDepth.COLORS_16;
    return term.startsWith("xterm") || term.startsWith("screen") || term.startsWith("tmux")
        ? ColorDepth.COLORS_256 : ColorDepth.COLORS_16;
  }

  private static GraphicsProtocol graphics(Map<String, String> env, String term, String program, TermReplies r,
      boolean tmux, ColorDepth colors, boolean unicode, Options o, List<String> why) {
    if (o.graphics() != null) {
      why.add("graphics from --graphics=" + o.graphics().flag());
      return o.graphics();
    }
    if (colors == ColorDepth.MONO || !unicode) return GraphicsProtocol.ASCII;
    if (r.sixel()) {
      why.add("DA1 lists sixel (attribute 4)");
      return GraphicsProtocol.SIXEL;
    }
    if (tmux) {
      // kitty / iTerm2 strings would need passthrough and land at the outer cursor, not our pane: opt in only
      why.add("inside tmux without sixel: half-blocks (--graphics=kitty|iterm2 to force passthrough)");
      return GraphicsProtocol.HALFBLOCK;
    }
    if (r.kittyGraphics() || term.equals("xterm-kitty") || term.equals("xterm-ghostty")
        || !env.getOrDefault("KITTY_WINDOW_ID", "").isEmpty() || program.equals("ghostty")) {
      why.add(r.kittyGraphics() ? "kitty graphics query answered OK" : "kitty or Ghostty from the environment");
      return GraphicsProtocol.KITTY;
    }
    if (program.equals("iTerm.app") || program.equals("WezTerm") || env.getOrDefault("LC_TERMINAL", "").equals("iTerm2")) {
      why.add(program + ": iTerm2 inline images");
      return GraphicsProtocol.ITERM2;
    }
    return GraphicsProtocol.HALFBLOCK;
  }

  private static boolean unicodeLocale(Map<String, String> env, String term) {
    for (String k : List.of("LC_ALL", "LC_CTYPE", "LANG")) {
      String v = env.getOrDefault(k, "");
      if (!v.isEmpty()) {
        String u = v.toUpperCase(Locale.ROOT);
        return u.contains("UTF-8") || u.contains("UTF8");
      }
    }
    return !term.startsWith("linux") && !term.startsWith("vt");    // no locale at all: modern emulators are UTF-8
  }
}
