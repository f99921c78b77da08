package dev.lathe.term;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a terminal answered to {@link #QUERIES}, parsed from the raw bytes it sent back. A pure function of that text,
 * so recorded replies make the tests; values a terminal did not answer stay at -1 / null / false.
 *
 * @param da1              Primary Device Attributes (attribute 4 = sixel); empty when DA1 never arrived
 * @param sixelRegisters   XTSMGRAPHICS colour registers, -1 when unanswered or refused
 * @param graphicsWidthPx  XTSMGRAPHICS sixel geometry, -1 when unanswered
 * @param graphicsHeightPx likewise
 * @param cellWidthPx      {@code CSI 16 t} cell size, -1 when unanswered
 * @param cellHeightPx     likewise
 * @param windowWidthPx    {@code CSI 14 t} text area size, -1 when unanswered
 * @param windowHeightPx   likewise
 * @param version          XTVERSION text such as {@code XTerm(379)} or {@code tmux 3.3a}, null when unanswered
 * @param syncOutput       DECRQM 2026 (synchronized output): true/false when answered, null when not
 * @param kittyGraphics    the kitty graphics query came back OK
 * @param background       the default background colour (OSC 11) as 0xRRGGBB, -1 when unanswered
 */
public record TermReplies(List<Integer> da1, int sixelRegisters, int graphicsWidthPx, int graphicsHeightPx,
    int cellWidthPx, int cellHeightPx, int windowWidthPx, int windowHeightPx, String version, Boolean syncOutput,
    boolean kittyGraphics, int background) {

  static final String ESC = "\u001b";

  /**
   * Every query in one write, ending with DA1: all terminals answer DA1, in order, so whatever has not been answered
   * when its reply arrives is unsupported and the probe costs one round trip (tui-ecosystem.md §2.2).
   */
  public static final String QUERIES =
      ESC + "[>0q"                       // XTVERSION
          + ESC + "[?1;1;0S"             // XTSMGRAPHICS: colour registers
          + ESC + "[?2;1;0S"             // XTSMGRAPHICS: sixel geometry in px
          + ESC + "[16t"                 // cell size in px
          + ESC + "[14t"                 // text area in px
          + ESC + "[?2026$p"             // DECRQM synchronized output
          + ESC + "]11;?" + ESC + "\\"     // OSC 11: background colour (light or dark theme)
          + ESC + "_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA" + ESC + "\\" // kitty graphics query (ignored elsewhere)
          + ESC + "[c";                  // DA1, answered by everyone: the end marker

  /** The same without the kitty APC and OSC 11, for terminals known to print unknown strings (the Linux console). */
  public static final String QUERIES_NO_APC = QUERIES.replace(ESC + "_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA" + ESC + "\\", "")
      .replace(ESC + "]11;?" + ESC + "\\", "");

  private static final Pattern DA1 = Pattern.compile("\u001b\\[\\?([0-9;]*)c");
  private static final Pattern XTSM = Pattern.compile("\u001b\\[\\?([12]);([0-9]+)((?:;[0-9]+)*)S");
  private static final Pattern WINOPS = Pattern.compile("\u001b\\[([46]);([0-9]+);([0-9]+)t");
  private static final Pattern XTVERSION = Pattern.compile("\u001bP>\\|([^\u001b\u0007]*)(?:\u001b\\\\|\u0007)");
  private static final Pattern DECRPM_2026 = Pattern.compile("\u001b\\[\\?2026;([0-9])\\$y");
  private static final Pattern OSC11 =
      Pattern.compile("\u001b\\]11;rgba?:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})(?:/[0-9a-fA-F]{1,4})?(?:\u001b\\\\|\u0007)");
  private static final Pattern KITTY = Pattern.compile("\u001b_G([^;\u001b]*);([^\u001b]*)\u001b\\\\");

  /** Nothing answered: what a pipe or a silent terminal gives. */
  public static final TermReplies NONE = new TermReplies(List.of(), -1, -1, -1, -1, -1, -1, -1, null, null, false, -1);

  public TermReplies {
    da1 = List.copyOf(da1);
  }

  /** True once the DA1 reply (the end marker) has arrived in {@code raw}. */
  public static boolean complete(CharSequence raw) {
    return DA1.matcher(raw).find();
  }

  /** Parses everything recognisable in {@code raw}; unknown bytes are ignored. Never throws. */
  public static TermReplies parse(CharSequence raw) {
    List<Integer> da1 = new ArrayList<>();
    Matcher m = DA1.matcher(raw);
    if (m.find()) for (String a : m.group(1).split(";")) if (!a.isEmpty()) da1.add(parseInt(a));

    int registers = -1, gw = -1, gh = -1;
    m = XTSM.matcher(raw);
    while (m.find()) {
      int item = parseInt(m.group(1));
      int status = parseInt(m.group(2));
      String[] vals = m.group(3).isEmpty() ? new String[0] : m.group(3).substring(1).split(";");
      if (status != 0) continue;                     // 1 bad item, 2 bad action, 3 failure: unsupported
      if (item == 1 && vals.length >= 1) registers = parseInt(vals[0]);
      if (item == 2 && vals.length >= 2) {
        gw = parseInt(vals[0]);
        gh = parseInt(vals[1]);
      }
    }

    int cw = -1, ch = -1, ww = -1, wh = -1;
    m = WINOPS.matcher(raw);
    while (m.find()) {
      int h = parseInt(m.group(2));
      int w = parseInt(m.group(3));
      if (m.group(1).equals("6")) {
        ch = h;
        cw = w;
      } else {
        wh = h;
        ww = w;
      }
    }

    String version = null;
    m = XTVERSION.matcher(raw);
    if (m.find()) version = m.group(1).trim();

    Boolean sync = null;
    m = DECRPM_2026.matcher(raw);
    if (m.find()) {
      int ps = parseInt(m.group(1));
      sync = ps == 1 || ps == 2 || ps == 3;   // 0 unknown mode, 4 permanently reset
    }

    boolean kitty = false;
    m = KITTY.matcher(raw);
    while (m.find()) if (m.group(1).contains("i=31") && m.group(2).equals("OK")) kitty = true;

    int bg = -1;
    m = OSC11.matcher(raw);
    if (m.find()) bg = channel(m.group(1)) << 16 | channel(m.group(2)) << 8 | channel(m.group(3));

    return new TermReplies(da1, registers, gw, gh, cw, ch, ww, wh, version, sync, kitty, bg);
  }

  /** DA1 attribute 4: the terminal draws sixel. */
  public boolean sixel() {
    return da1.size() > 1 && da1.subList(1, da1.size()).contains(4);
  }

  /** An X11 colour channel of 1-4 hex digits scaled to 0..255 ("ffff" and "ff" are both 255). */
  private static int channel(String hex) {
    int v = Integer.parseInt(hex, 16);
    int max = (1 << (4 * hex.length())) - 1;
    return Math.round(v * 255f / max);
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
