package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Replies recorded in tui-ecosystem.md §2.2 (tmux 3.3a, xterm 379 as VT340 and as VT420), plus a kitty-like one. */
class TermRepliesTest {
  static final String E = "\u001b";
  static final String TMUX = E + "P>|tmux 3.3a" + E + "\\" + E + "[?1;2c";
  static final String XTERM_VT340 = E + "P>|XTerm(379)" + E + "\\" + E + "[?1;0;256S" + E + "[?2;0;600;390S"
      + E + "[?2026;0$y" + E + "[?63;1;2;4;6;9;15;16;22;28c";
  static final String XTERM_VT420 = E + "P>|XTerm(379)" + E + "\\" + E + "[?1;3S" + E + "[?2;3S"
      + E + "[?64;1;2;6;9;15;16;17;18;21;22;28c";
  static final String KITTY = E + "P>|kitty(0.35.2)" + E + "\\" + E + "[6;20;10t" + E + "[4;480;800t" + E + "[?2026;2$y"
      + E + "_Gi=31;OK" + E + "\\" + E + "]11;rgb:2e2e/3434/4040" + E + "\\" + E + "[?62;c";

  @Test
  void parse_tmux_onlyDa1AndVersion() {
    TermReplies r = TermReplies.parse(TMUX);
    assertThat(r.da1()).containsExactly(1, 2);
    assertThat(r.sixel()).isFalse();
    assertThat(r.version()).isEqualTo("tmux 3.3a");
    assertThat(r.sixelRegisters()).isEqualTo(-1);
    assertThat(r.cellWidthPx()).isEqualTo(-1);
    assertThat(r.syncOutput()).isNull();
    assertThat(r.kittyGraphics()).isFalse();
  }

  @Test
  void parse_xtermVt340_sixelRegistersAndGeometry() {
    TermReplies r = TermReplies.parse(XTERM_VT340);
    assertThat(r.sixel()).isTrue();
    assertThat(r.sixelRegisters()).isEqualTo(256);
    assertThat(r.graphicsWidthPx()).isEqualTo(600);
    assertThat(r.graphicsHeightPx()).isEqualTo(390);
    assertThat(r.version()).isEqualTo("XTerm(379)");
    assertThat(r.syncOutput()).isFalse();
  }

  @Test
  void parse_xtermVt420_refusedGraphicsQueries_areUnknown() {
    TermReplies r = TermReplies.parse(XTERM_VT420);
    assertThat(r.sixel()).isFalse();                    // 4 is absent; 64 (the class) is not an attribute
    assertThat(r.sixelRegisters()).isEqualTo(-1);
    assertThat(r.graphicsWidthPx()).isEqualTo(-1);
  }

  @Test
  void parse_kittyLike_cellSizeWindowSyncAndGraphics() {
    TermReplies r = TermReplies.parse(KITTY);
    assertThat(r.cellWidthPx()).isEqualTo(10);
    assertThat(r.cellHeightPx()).isEqualTo(20);
    assertThat(r.windowWidthPx()).isEqualTo(800);
    assertThat(r.windowHeightPx()).isEqualTo(480);
    assertThat(r.syncOutput()).isTrue();
    assertThat(r.kittyGraphics()).isTrue();
    assertThat(r.da1()).containsExactly(62);
    assertThat(r.background()).isEqualTo(0x2e3440);
  }

  @Test
  void parse_osc11_belTerminator_andShortChannels() {
    assertThat(TermReplies.parse(E + "]11;rgb:ff/ff/ff\u0007" + E + "[?1;2c").background()).isEqualTo(0xffffff);
    assertThat(TermReplies.parse(E + "]11;rgb:0/8/f" + E + "\\").background()).isEqualTo(0x0088ff);
    assertThat(TermReplies.parse(TMUX).background()).isEqualTo(-1);
  }

  @Test
  void parse_garbageAndPartialReplies_neverThrow() {
    assertThat(TermReplies.parse("")).isEqualTo(TermReplies.NONE);
    assertThat(TermReplies.parse(E + "[?1;0;")).isEqualTo(TermReplies.NONE);
    assertThat(TermReplies.parse("abc" + E + "[6;x;1t" + E + "P>|unterminated").version()).isNull();
  }

  @Test
  void complete_onlyOnceDa1Arrived() {
    assertThat(TermReplies.complete(E + "P>|XTerm(379)" + E + "\\" + E + "[?1;0;256S")).isFalse();
    assertThat(TermReplies.complete(XTERM_VT340)).isTrue();
  }

  @Test
  void queries_endWithDa1_andHoldEachQueryOnce() {
    assertThat(TermReplies.QUERIES).endsWith(E + "[c");
    assertThat(TermReplies.QUERIES).contains(E + "[>0q", E + "[?1;1;0S", E + "[?2;1;0S", E + "[16t", E + "[14t", E + "[?2026$p", E + "_G");
    assertThat(TermReplies.QUERIES_NO_APC).doesNotContain(E + "_G").endsWith(E + "[c");
  }
}
