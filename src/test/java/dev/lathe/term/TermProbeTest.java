package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TermProbeTest {
  static final TermProbe.Options AUTO = TermProbe.Options.auto();

  static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  static TermProfile decide(Map<String, String> env, String replies, TermProbe.Options o) {
    return TermProbe.decide(env, TermReplies.parse(replies), null, 100, 30, true, o, List.of());
  }

  @Test
  void xtermVt340_sixel_cellSizeFromGeometry() {
    TermProfile p = decide(env("TERM", "xterm", "LANG", "en_US.UTF-8"), TermRepliesTest.XTERM_VT340, AUTO);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.SIXEL);
    assertThat(p.cellWidthPx()).isEqualTo(6);                 // 600 px / 100 columns
    assertThat(p.cellHeightPx()).isEqualTo(13);               // 390 px / 30 rows
    assertThat(p.sixelRegisters()).isEqualTo(256);
    assertThat(p.terminal()).isEqualTo("XTerm(379)");
    assertThat(p.colors()).isEqualTo(ColorDepth.COLORS_256);  // plain TERM=xterm, no terminfo answer: 256
  }

  @Test
  void tmux_withoutSixel_halfBlocks_and256FromTerm() {
    TermProfile p = decide(env("TERM", "tmux-256color", "TMUX", "/tmp/tmux-0/default,1,0", "LANG", "C.UTF-8"),
        TermRepliesTest.TMUX, AUTO);
    assertThat(p.tmux()).isTrue();
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.HALFBLOCK);
    assertThat(p.colors()).isEqualTo(ColorDepth.COLORS_256);
    assertThat(p.cellWidthPx()).isZero();
    assertThat(p.fullScreen()).isTrue();
  }

  @Test
  void tmux_insideKitty_doesNotPickKittyByItself() {
    TermProfile p = decide(env("TERM", "tmux-256color", "TMUX", "x", "KITTY_WINDOW_ID", "1", "COLORTERM", "truecolor"),
        TermRepliesTest.TMUX, AUTO);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.HALFBLOCK);
    assertThat(p.colors()).isEqualTo(ColorDepth.TRUECOLOR);
  }

  @Test
  void kitty_fromQueryReply_truecolor_cellSize() {
    TermProfile p = decide(env("TERM", "xterm-kitty"), TermRepliesTest.KITTY, AUTO);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.KITTY);
    assertThat(p.colors()).isEqualTo(ColorDepth.TRUECOLOR);
    assertThat(p.cellWidthPx()).isEqualTo(10);
    assertThat(p.cellHeightPx()).isEqualTo(20);
  }

  @Test
  void background_fromOsc11_lightOrDark() {
    TermProfile dark = decide(env("TERM", "xterm-kitty"), TermRepliesTest.KITTY, AUTO);
    assertThat(dark.background()).isEqualTo(0x2e3440);
    assertThat(dark.lightBackground()).isFalse();
    TermProfile light = decide(env("TERM", "xterm-256color"), "\u001b]11;rgb:ffff/ffff/dddd\u001b\\\u001b[?64;1c", AUTO);
    assertThat(light.lightBackground()).isTrue();
    assertThat(decide(env("TERM", "xterm-256color"), "", AUTO).lightBackground()).isFalse();
  }

  @Test
  void iterm2_fromTermProgram() {
    TermProfile p = decide(env("TERM", "xterm-256color", "TERM_PROGRAM", "iTerm.app"), "\u001b[?62;4c".replace(";4", ""), AUTO);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.ITERM2);
    assertThat(p.colors()).isEqualTo(ColorDepth.TRUECOLOR);
  }

  @Test
  void noColor_isMono_andMonoMeansAsciiPreviews() {
    TermProfile p = decide(env("TERM", "xterm-256color", "NO_COLOR", "1", "COLORTERM", "truecolor"), "", AUTO);
    assertThat(p.colors()).isEqualTo(ColorDepth.MONO);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.ASCII);
  }

  @Test
  void noColorEmpty_isIgnored_asTheConventionSays() {
    assertThat(decide(env("TERM", "xterm-256color", "NO_COLOR", ""), "", AUTO).colors()).isEqualTo(ColorDepth.COLORS_256);
  }

  @Test
  void termDumb_noFullScreen() {
    TermProfile p = decide(env("TERM", "dumb"), "", AUTO);
    assertThat(p.fullScreen()).isFalse();
    assertThat(p.colors()).isEqualTo(ColorDepth.MONO);
  }

  @Test
  void overrides_winOverEverything() {
    TermProbe.Options o = new TermProbe.Options(ColorDepth.COLORS_16, GraphicsProtocol.KITTY, null);
    TermProfile p = decide(env("TERM", "xterm-256color", "NO_COLOR", "1"), TermRepliesTest.XTERM_VT340, o);
    assertThat(p.colors()).isEqualTo(ColorDepth.COLORS_16);
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.KITTY);
  }

  @Test
  void nonUtf8Locale_asciiGlyphs() {
    TermProfile p = decide(env("TERM", "xterm-256color", "LC_ALL", "C"), "", AUTO);
    assertThat(p.unicode()).isFalse();
    assertThat(p.graphics()).isEqualTo(GraphicsProtocol.ASCII);
  }

  @Test
  void terminfoColours_usedWhenTermSaysNothing() {
    TermProfile p = TermProbe.decide(env("TERM", "ansi"), TermReplies.NONE, 8, 80, 24, true, AUTO, List.of());
    assertThat(p.colors()).isEqualTo(ColorDepth.COLORS_16);
  }

  @Test
  void exchange_writesQueriesOnce_stopsAtDa1_withoutBlocking() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] reply = (TermRepliesTest.XTERM_VT340 + "typed-ahead").getBytes(StandardCharsets.ISO_8859_1);
    long t0 = System.nanoTime();
    String got = TermProbe.exchange(new ByteArrayInputStream(reply), out, TermReplies.QUERIES, Duration.ofSeconds(5));
    assertThat((System.nanoTime() - t0) / 1e6).isLessThan(2000);
    assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(TermReplies.QUERIES);
    assertThat(TermReplies.parse(got).sixel()).isTrue();
  }

  @Test
  void exchange_silentTerminal_returnsAfterTimeout() throws Exception {
    long t0 = System.nanoTime();
    String got = TermProbe.exchange(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), "q", Duration.ofMillis(80));
    double ms = (System.nanoTime() - t0) / 1e6;
    assertThat(got).isEmpty();
    assertThat(ms).isBetween(70.0, 1500.0);
  }
}
