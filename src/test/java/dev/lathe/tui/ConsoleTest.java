package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.TermProfile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on a DefaultVirtualTerminal: screens, the live Monitor, overlays, resizes. */
class ConsoleTest {
  static final class RecordingControls implements JobControls {
    final List<String> calls = new ArrayList<>();
    boolean inProcess;

    @Override public void stop() { calls.add("stop"); }
    @Override public void pause() { calls.add("pause"); }
    @Override public void resume() { calls.add("resume"); }
    @Override public void saveNow() { calls.add("save"); }
    @Override public void sampleNow() { calls.add("sample"); }
    @Override public boolean inProcess() { return inProcess; }
  }

  final MonitorFeed feed = new MonitorFeed();
  final RecordingControls controls = new RecordingControls();
  DefaultVirtualTerminal vt;

  Console console(int cols, int rows) throws IOException {
    vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(cols, rows)).themes(Themes.load(null))
        .monitor(feed, controls).imageExecutor(Runnable::run).build();
    c.tick();
    return c;
  }

  void keys(Console c, Object... keys) throws IOException {
    for (Object k : keys) {
      if (k instanceof KeyType t) vt.addInput(new KeyStroke(t));
      else if (k instanceof Character ch) vt.addInput(new KeyStroke(ch, false, false));
      else for (char ch : ((String) k).toCharArray()) vt.addInput(new KeyStroke(ch, false, false));
    }
    c.tick();
    c.tick();
  }

  String screenText() {
    return Headless.of(vt).text();
  }

  void startJob(int steps) {
    feed.job("demo", 100, JobState.RUNNING, Path.of("/tmp/out/demo"));
    for (int s = 1; s <= steps; s++) feed.step(s, 1.0 / s + 0.05 * Math.sin(s), 1e-4 * Math.min(1, s / 10.0), 2.5);
    feed.memory(new MonitorSnapshot.Memory(12_000_000_000L, 14_500_000_000L, 24_000_000_000L, true));
    feed.log("step 1 loss 1.0", "WARN low disk space", "saved checkpoint");
  }

  @Test
  void numberKeys_switchEveryScreen_andEscGoesBack() throws IOException {
    Console c = console(100, 30);
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");
    String[] titles = {"Dashboard", "Queue", "Datasets", "New job", "Monitor"};
    for (int i = 0; i < 5; i++) {
      keys(c, (char) ('1' + i));
      assertThat(c.currentScreen().title()).isEqualTo(titles[i]);
      assertThat(screenText()).contains(titles[i]);
      int[] at = Headless.of(vt).find(" " + titles[i] + " ");                // the active tab is highlighted
      assertThat(vt.getCharacter(at[0] + 1, at[1]).getBackgroundColor())
          .isEqualTo(c.skin().theme().style(Role.SELECTED).bg());
    }
    keys(c, KeyType.Escape);
    assertThat(c.currentScreen().title()).isEqualTo("New job");
    keys(c, '2', KeyType.Escape);
    assertThat(c.currentScreen().title()).isEqualTo("New job");
    assertThat(screenText()).contains("New job · pick a preset");
  }

  @Test
  void monitor_stepCounterAndLossChart_changeAsTheFeedAppends() throws IOException {
    Console c = console(100, 30);
    startJob(10);
    c.tick();
    String before = screenText();
    assertThat(before).contains("demo").contains("RUNNING").contains("step 10/100").contains("2.5 it/s");
    String chartBefore = brailleOf(before);
    for (int s = 11; s <= 60; s++) feed.step(s, 0.5 / s, 1e-4, 2.5);
    c.tick();
    String after = screenText();
    assertThat(after).contains("step 60/100").contains("ETA 16s");
    assertThat(brailleOf(after)).isNotEqualTo(chartBefore).isNotEmpty();
    assertThat(after).contains("VRAM").contains("12.0/24.0 GB").contains("saved checkpoint");
  }

  @Test
  void monitor_unchangedSnapshot_drawsNothing() throws IOException {
    Console c = console(100, 30);
    startJob(5);
    c.tick();
    c.tick();
    assertThat(c.tick()).isFalse();                               // same snapshot object: no redraw at all
    feed.step(6, 0.2, 1e-4, 2.0);
    assertThat(c.tick()).isTrue();
  }

  static String brailleOf(String screen) {
    StringBuilder sb = new StringBuilder();
    screen.chars().filter(ch -> ch >= 0x2800 && ch <= 0x28ff).forEach(ch -> sb.append((char) ch));
    return sb.toString();
  }

  @Test
  void resize_wideThen80x24_thenTooSmall_andBack() throws IOException {
    Console c = console(130, 40);
    startJob(20);
    c.tick();
    MonitorScreen m = (MonitorScreen) c.currentScreen();
    assertThat(m.wide()).isTrue();
    assertThat(screenText()).contains("Learning rate").contains("Memory · GPU").contains("Samples");
    vt.setTerminalSize(new TerminalSize(80, 24));
    c.tick();
    c.tick();
    assertThat(m.wide()).isFalse();
    String narrow = screenText();
    assertThat(narrow).contains("step 20/100").contains("LR 1.00e-04").contains("Samples none yet").doesNotContain("Memory · GPU");
    assertThat(Headless.of(vt).lines().get(23)).contains("? help").contains("q quit");
    vt.setTerminalSize(new TerminalSize(60, 20));
    c.tick();
    c.tick();
    assertThat(screenText()).contains("terminal too small: 60×20, need 80×24").doesNotContain("step 20/100");
    feed.step(21, 0.1, 1e-4, 2.0);                                // training goes on behind the page
    vt.setTerminalSize(new TerminalSize(100, 30));
    c.tick();
    c.tick();
    assertThat(screenText()).contains("step 21/100").doesNotContain("too small");
  }

  @Test
  void help_isRenderedFromTheKeymap_andEscCloses() throws IOException {
    Console c = console(100, 30);
    keys(c, '?');
    String t = screenText();
    assertThat(t).contains("Keys · Monitor").contains("pause or resume training").contains("command palette");
    assertThat(c.overlay()).isNotNull();
    keys(c, KeyType.Escape);
    assertThat(c.overlay()).isNull();
    assertThat(screenText()).doesNotContain("Keys · Monitor");
  }

  @Test
  void palette_tabCompletesCommandAndArgument_enterSwitchesTheme() throws IOException {
    Console c = console(100, 30);
    keys(c, ':', "th", KeyType.Tab);
    assertThat(screenText()).contains(":theme ");
    keys(c, "no", KeyType.Tab);
    assertThat(screenText()).contains(":theme nord");
    keys(c, KeyType.Enter);
    assertThat(c.themeName()).isEqualTo("nord");
    assertThat(c.overlay()).isNull();
    keys(c, ':', "bogus", KeyType.Enter);
    assertThat(screenText()).contains("unknown command 'bogus'");
  }

  @Test
  void themeKey_cyclesThemes() throws IOException {
    Console c = console(100, 30);
    String first = c.themeName();
    keys(c, 't');
    assertThat(c.themeName()).isNotEqualTo(first);
    assertThat(screenText()).contains("theme " + c.themeName());
  }

  @Test
  void stop_asksFirst_thenAsksTheJob() throws IOException {
    Console c = console(100, 30);
    startJob(5);
    c.tick();
    keys(c, 'x');
    assertThat(screenText()).contains("Stop demo?").contains("[y] stop it");
    assertThat(controls.calls).isEmpty();
    keys(c, 'y');
    assertThat(controls.calls).containsExactly("stop");
    assertThat(screenText()).contains("stopping after the next checkpoint");
    keys(c, 'x', KeyType.Escape);
    assertThat(controls.calls).containsExactly("stop");
  }

  @Test
  void controls_pauseSampleSave_reachTheJob() throws IOException {
    Console c = console(100, 30);
    startJob(5);
    c.tick();
    keys(c, 'p', 's', 'c');
    assertThat(controls.calls).containsExactly("pause", "sample", "save");
    feed.state(JobState.PAUSED, null);
    c.tick();
    keys(c, 'p');
    assertThat(controls.calls).endsWith("resume");
  }

  @Test
  void controls_withoutAJob_sayWhy() throws IOException {
    Console c = console(100, 30);
    keys(c, 'p');
    assertThat(controls.calls).isEmpty();
    assertThat(screenText()).contains("no job is attached");
  }

  @Test
  void quit_noJob_exitsAtOnce() throws IOException {
    Console c = console(100, 30);
    keys(c, 'q');
    assertThat(c.exit()).isEqualTo(Console.Exit.QUIT);
  }

  @Test
  void quit_activeJob_asks_leaveRunningOrStop() throws IOException {
    Console c = console(100, 30);
    startJob(3);
    c.tick();
    keys(c, 'q');
    assertThat(c.exit()).isNull();
    assertThat(screenText()).contains("Quit the console?").contains("keeps training in its own process");
    keys(c, 'q');
    assertThat(c.exit()).isEqualTo(Console.Exit.LEAVE_RUNNING);

    controls.inProcess = true;
    Console d = console(100, 30);
    keys(d, 'q');
    assertThat(screenText()).contains("is training in this process");
    keys(d, 's');
    assertThat(d.exit()).isEqualTo(Console.Exit.STOP_JOB);
    assertThat(controls.calls).contains("stop");
  }

  @Test
  void everyAction_hasAHandlerInTheShell() throws IOException {
    Console c = console(100, 30);
    assertThat(c.handledActions()).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Action.class));
  }

  @Test
  void samples_stepSelector_andHalfBlockPreview(@TempDir Path dir) throws IOException {
    Console c = console(130, 40);
    startJob(30);
    for (int s = 10; s <= 30; s += 10) feed.sample(0, "a red fox in snow", s, png(dir, s, 0xff0000 + s));
    feed.sample(1, "a lighthouse", 30, png(dir, 99, 0x0000ff));
    c.tick();
    c.tick();
    c.tick();
    String t = screenText();
    assertThat(t).contains("prompt 1/2 · step 30 (3/3, newest)").contains("a red fox in snow");
    assertThat(t).contains("▀");                                  // the half-block picture
    keys(c, '[');
    assertThat(screenText()).contains("step 20 (2/3)");
    keys(c, '[', '[');
    assertThat(screenText()).contains("step 10 (1/3)");
    keys(c, ']', ']');
    assertThat(screenText()).contains("step 30 (3/3, newest)");
    keys(c, '}');
    assertThat(screenText()).contains("prompt 2/2").contains("a lighthouse");
  }

  @Test
  void badTheme_inUserDir_isReportedInOneLine(@TempDir Path dir) throws IOException {
    java.nio.file.Files.writeString(dir.resolve("broken.toml"), "name = \"broken\"\n[roles]\nloss = \"blue-ish\"\n");
    Themes themes = Themes.load(dir);
    assertThat(themes.problems()).containsExactly(dir.resolve("broken.toml")
        + ":3: roles.loss: 'blue-ish' is not a colour (\"#RRGGBB\", an ANSI name like \"bright_blue\", 0-255, or \"default\")");
    vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    Console c = Console.builder().terminal(vt).themes(themes).imageExecutor(Runnable::run).build();
    c.tick();
    assertThat(screenText()).contains("broken.toml:3: roles.loss");
  }

  static Path png(Path dir, int step, int rgb) throws IOException {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, y < 32 ? rgb : 0x00ff00);
    Path p = dir.resolve(String.format("%09d_0.png", step));
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  /** Sixel through the raw hook: sent once, not per frame; again on change, Ctrl-L, and after an overlay closes. */
  @Test
  void sixel_isSentOnlyWhenSomethingChanged(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HeadlessAnsiTerminal term = new HeadlessAnsiTerminal(out, new TerminalSize(130, 40));
    TermProfile p = TermProfile.virtual(130, 40).withGraphics(GraphicsProtocol.SIXEL);
    Console c = Console.builder().terminal(term).profile(p).themes(Themes.load(null)).monitor(feed, controls)
        .imageExecutor(Runnable::run).build();
    startJob(10);
    feed.sample(0, "fox", 10, png(dir, 10, 0xff0000));
    for (int i = 0; i < 4; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(1);
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\u001bP0;1;0q\"1;1;");
    for (int s = 11; s <= 30; s++) {
      feed.step(s, 0.3, 1e-4, 2);
      c.tick();
    }
    assertThat(c.gui().emits()).isEqualTo(1);                     // 20 redraws, no re-send
    feed.sample(0, "fox", 20, png(dir, 20, 0x00ffff));
    for (int i = 0; i < 3; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(2);
    c.perform(Action.REDRAW);
    for (int i = 0; i < 2; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(3);
    c.perform(Action.HELP);
    for (int i = 0; i < 2; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(3);                     // nothing drawn over the overlay
    c.closeOverlay();
    for (int i = 0; i < 3; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(4);
    term.resize(new TerminalSize(120, 40));                        // a resize clears the screen: sent again
    for (int i = 0; i < 3; i++) c.tick();
    assertThat(c.gui().emits()).isEqualTo(5);
  }

  @Test
  void ctrlCTwice_quitsAtOnce_leavingTheJob() throws IOException {
    Console c = console(100, 30);
    startJob(3);
    c.tick();
    vt.addInput(new KeyStroke('c', true, false));
    c.tick();
    assertThat(c.exit()).isNull();
    assertThat(screenText()).contains("Ctrl-C again quits at once");
    vt.addInput(new KeyStroke('c', true, false));
    c.tick();
    assertThat(c.exit()).isEqualTo(Console.Exit.LEAVE_RUNNING);
  }

  @Test
  void monoAsciiTerminal_usesMonoTheme_andAsciiGlyphsOnly() throws IOException {
    vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    TermProfile p = new TermProfile(dev.lathe.term.ColorDepth.MONO, GraphicsProtocol.ASCII, 0, 0, false, false, true,
        100, 30, 256, "vt", List.of(), -1);
    Console c = Console.builder().terminal(vt).profile(p).themes(Themes.load(null)).monitor(feed, controls)
        .imageExecutor(Runnable::run).build();
    startJob(40);
    c.tick();
    c.tick();
    assertThat(c.themeName()).isEqualTo("mono");
    String t = screenText();
    assertThat(t).contains("step 40/100").contains("+-");
    assertThat(t.chars().allMatch(ch -> ch < 128)).as(t).isTrue();
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 100; x++) {
        assertThat(vt.getCharacter(x, y).getForegroundColor()).isEqualTo(com.googlecode.lanterna.TextColor.ANSI.DEFAULT);
      }
    }
  }

  @Test
  void dashboard_showsTheAttachedJob_andGauges() throws IOException {
    Console c = console(80, 24);
    keys(c, '1');
    assertThat(screenText()).contains("no job attached").contains("Recent jobs");
    startJob(25);
    c.tick();
    String t = screenText();
    assertThat(t).contains("Job · demo").contains("● running").contains("25/100 25%").contains("loss ")
        .contains("VRAM").contains("output /tmp/out/demo");
    assertThat(t).containsPattern("loss [0-9.]+ +[▁▂▃▄▅▆▇█]+");
  }

  /** Leaving the Monitor erases its picture: kitty deletes it by id; sixel repaints the whole screen. */
  @Test
  void pictureLeavingTheScreen_isErased(@TempDir Path dir) throws IOException {
    for (GraphicsProtocol g : List.of(GraphicsProtocol.KITTY, GraphicsProtocol.SIXEL)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      HeadlessAnsiTerminal term = new HeadlessAnsiTerminal(out, new TerminalSize(130, 40));
      MonitorFeed f = new MonitorFeed();
      f.job("demo", 100, JobState.RUNNING, null);
      f.sample(0, "fox", 10, png(dir, 10, 0xff0000));
      Console c = Console.builder().terminal(term).profile(TermProfile.virtual(130, 40).withGraphics(g))
          .themes(Themes.load(null)).monitor(f, controls).imageExecutor(Runnable::run).build();
      for (int i = 0; i < 3; i++) c.tick();
      assertThat(c.gui().emits()).as(g.name()).isEqualTo(1);
      out.reset();
      c.perform(Action.SCREEN_DASHBOARD);
      for (int i = 0; i < 2; i++) c.tick();
      String written = out.toString(java.nio.charset.StandardCharsets.UTF_8);
      if (g == GraphicsProtocol.KITTY) assertThat(written).contains("\u001b_Ga=d,d=I,i=");
      else assertThat(written).contains("\u001b[2J");                   // the clear of a complete repaint
      c.perform(Action.BACK);
      for (int i = 0; i < 2; i++) c.tick();
      assertThat(c.gui().emits()).as(g.name()).isEqualTo(2);
    }
  }

  @Test
  void lightBackground_picksTheLightTheme_unlessOneWasAskedFor() throws IOException {
    TermProfile p = new TermProfile(dev.lathe.term.ColorDepth.COLORS_256, GraphicsProtocol.HALFBLOCK, 0, 0, false, true,
        true, 100, 30, 256, "xterm", List.of(), 0xffffff);
    vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    assertThat(Console.builder().terminal(vt).profile(p).themes(Themes.load(null)).build().themeName()).isEqualTo("light");
    vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    assertThat(Console.builder().terminal(vt).profile(p).themes(Themes.load(null)).theme("nord").build().themeName())
        .isEqualTo("nord");
  }

  /** A theme with its own background covers every cell with it (no holes of the terminal's colour). */
  @Test
  void themeBackground_coversEveryCell(@TempDir Path dir) throws IOException {
    for (int[] size : new int[][] {{130, 40}, {80, 24}}) {
      vt = new DefaultVirtualTerminal(new TerminalSize(size[0], size[1]));
      Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(size[0], size[1])).themes(Themes.load(null))
          .theme("nord").monitor(feed, controls).imageExecutor(Runnable::run).build();
      startJob(30);
      feed.sample(0, "fox", 10, png(dir, 10, 0xff0000));
      for (int i = 0; i < 3; i++) c.tick();
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          assertThat(vt.getCharacter(x, y).getBackgroundColor()).as("cell %d,%d of %dx%d", x, y, size[0], size[1])
              .isNotEqualTo(com.googlecode.lanterna.TextColor.ANSI.DEFAULT);
        }
      }
    }
  }
}
