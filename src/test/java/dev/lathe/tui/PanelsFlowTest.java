package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.config.PresetLibrary;
import dev.lathe.config.Schema;
import dev.lathe.demo.DemoData;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The New job panels and the Queue on a DefaultVirtualTerminal, by keys: a job filled in from a preset and launched
 * past its warnings into the queue, with the Monitor following it; a user preset edited with {@code e} and saved with
 * its hand-written comments intact; the focused field's help from the schema; Enter on the Queue opening the Monitor.
 * Workers run inline and the runner only records (see {@link ScreensTest}), so every step is deterministic.
 */
class PanelsFlowTest {
  @TempDir Path root;
  final ScreensTest.RecordingRunners runners = new ScreensTest.RecordingRunners();
  Workspace ws;
  DefaultVirtualTerminal vt;

  @AfterEach
  void tearDown() {
    System.clearProperty(PresetLibrary.USER_DIR_PROPERTY);
    if (ws != null) ws.close();
  }

  Console console(int cols, int rows, Action start) throws IOException {
    ws = new Workspace(root.resolve("output"), runners, c -> "cpu", null, null).jobFiles(root.resolve("jobs"));
    ws.refresh();
    vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(cols, rows)).themes(Themes.load(null))
        .workspace(ws).workers(Runnable::run).imageExecutor(Runnable::run).start(start).build();
    c.tick();
    return c;
  }

  void keys(Console c, Object... keys) throws IOException {
    Headless.type(c, vt, keys);
  }

  String text() {
    return Headless.of(vt).text();
  }

  /** Moves the cursor to the field {@code key} of the current panel. */
  void focus(Console c, NewJobScreen w, String key) throws IOException {
    for (int i = 0; i < 80 && !w.form().focused().key().equals(key); i++) keys(c, KeyType.ArrowDown);
    assertThat(w.form().focused().key()).isEqualTo(key);
  }

  /** Goes to the panel titled {@code title} with PageDown. */
  void panel(Console c, NewJobScreen w, int tab) throws IOException {
    for (int i = 0; i < 12 && w.tab() != tab; i++) keys(c, KeyType.PageDown);
    assertThat(w.tab()).isEqualTo(tab);
  }

  void pick(Console c, NewJobScreen w, String preset) throws IOException {
    for (int i = 0; i < 100 && !w.selectedPreset().name().equals(preset); i++) keys(c, 'j');
    assertThat(w.selectedPreset().name()).isEqualTo(preset);
  }

  static String oneLine(String s) {
    return s.replaceAll("[│┃|]", " ").replaceAll("\\s+", " ").strip();
  }

  @Test
  void focusedField_showsItsHelpFromTheSchema_andTheHelpFollowsTheCursor() throws IOException {
    Console c = console(100, 40, Action.SCREEN_NEW_JOB);
    NewJobScreen w = (NewJobScreen) c.currentScreen();
    pick(c, w, "zimage_turbo");
    keys(c, KeyType.Enter);
    panel(c, w, 5);                                                   // TRAINING
    for (String key : new String[] {"training.learning_rate", "training.steps"}) {
      focus(c, w, key);
      String help = Schema.field(key).orElseThrow().help();
      assertThat(help).isNotBlank();
      assertThat(oneLine(text())).as("help of %s", key).contains(oneLine(help));
    }
    String lrHelp = oneLine(Schema.field("training.learning_rate").orElseThrow().help());
    assertThat(oneLine(text())).doesNotContain(lrHelp);              // only the focused field's help is shown
  }

  @Test
  void queue_enterOnAJob_opensTheMonitorOnThatJob() throws IOException {
    JobStore store = new JobStore(root.resolve("output"));
    for (String name : new String[] {"alpha", "beta", "gamma"}) {
      JobFolder j = store.create(name, "extends = \"zimage_turbo\"\n[job]\nname = \"" + name + "\"\n", 100, "cpu");
      JobStatus st = j.readStatus().withStep(name.length() * 10L);
      j.writeStatus(st.with(JobState.STOPPED, null));
      j.log(name + " was here");
    }
    Console c = console(80, 24, Action.SCREEN_QUEUE);
    assertThat(c.currentScreen().title()).isEqualTo("Queue");
    String listed = text();
    assertThat(listed).contains("alpha").contains("beta").contains("gamma");
    QueueScreen q = (QueueScreen) c.currentScreen();
    for (int i = 0; i < 5 && !q.selectedJob().name().equals("beta"); i++) keys(c, 'j');
    assertThat(q.selectedJob().name()).isEqualTo("beta");
    int[] at = Headless.of(vt).find("beta");                          // the highlighted row is beta's
    assertThat(vt.getCharacter(at[0], at[1]).getBackgroundColor()).isEqualTo(c.skin().theme().style(Role.SELECTED).bg());
    keys(c, KeyType.Enter);
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");
    assertThat(ws.snapshot().attached()).isEqualTo(root.resolve("output/beta"));
    assertThat(Headless.of(vt).lines().get(0)).contains("· beta · ").contains("STOPPED");
    assertThat(text()).contains("beta was here");                     // its log tail
  }

  static KeyStroke ctrl(char ch) {
    return new KeyStroke(ch, true, false);
  }

  @Test
  void launchFromThePanels_pastItsWarnings_queuesTheJob_andTheMonitorFollowsIt() throws IOException {
    Path pics = Files.createDirectories(root.resolve("pics"));
    DemoData.write(pics, DemoData.generate(4, 64, 1));
    Console c = console(100, 30, Action.SCREEN_NEW_JOB);
    NewJobScreen w = (NewJobScreen) c.currentScreen();
    pick(c, w, "zimage_deturbo");
    keys(c, KeyType.Enter);
    assertThat(w.draft()).isNotNull();

    focus(c, w, "job.name");
    keys(c, ctrl('u'), "tiny");
    panel(c, w, 5);                                                   // TRAINING: a tiny run
    focus(c, w, "training.steps");
    keys(c, ctrl('u'), "20");
    panel(c, w, PanelForms.DATASETS_TAB);
    focus(c, w, "datasets[0].folder");
    keys(c, ctrl('u'), pics.toString());
    assertThat(runners.devices).isEmpty();

    keys(c, ctrl('r'));                                               // only warnings: they ask
    assertThat(text()).contains("Launch with 2 warnings?")
        .contains("save.every: 250 is more than training.steps (20)").contains("[y] launch anyway");
    assertThat(new JobFolder(root.resolve("output/tiny")).exists()).isFalse();
    keys(c, 'y');
    keys(c);

    JobFolder job = new JobFolder(root.resolve("output/tiny"));
    assertThat(job.exists()).isTrue();
    assertThat(job.readStatus().state()).isEqualTo(JobState.QUEUED);
    assertThat(runners.devices).containsExactly("cpu");              // a runner was asked to take the queue
    String resolved = Files.readString(job.config(), StandardCharsets.UTF_8);
    assertThat(resolved).containsPattern("steps += 20\\b").contains(pics.toString());
    Path jobFile = root.resolve("jobs/zimage_deturbo_lora.toml");     // the panels' file was saved on the way
    assertThat(Files.readString(jobFile, StandardCharsets.UTF_8)).contains("extends = \"zimage_deturbo\"")
        .contains("name = \"tiny\"").contains("steps = 20");
    assertThat(w.draft()).isNull();
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");       // ... which follows the new job
    assertThat(ws.snapshot().attached()).isEqualTo(job.dir());
    assertThat(Headless.of(vt).lines().get(0)).contains("· tiny · ").contains("QUEUED").contains("/20");
  }

  static final String MY_PRESET = """
      # My style for Z-Image: a gentler rate than the built-in.
      # (hand-written; every byte of this must survive an edit in the console)
      extends = "zimage_turbo"   # the base

      [training]
      # the rate I like
      learning_rate = 1e-4  # small on purpose
      steps   =   1500

      [save]
      every = 500   # often enough
      """;

  @Test
  void editPreset_e_onAUserPreset_savesTheChange_keepingCommentsAndUntouchedLinesByteForByte() throws IOException {
    Path userDir = Files.createDirectories(root.resolve("presets"));
    System.setProperty(PresetLibrary.USER_DIR_PROPERTY, userDir.toString());
    Path file = userDir.resolve("my_style.toml");
    Files.writeString(file, MY_PRESET, StandardCharsets.UTF_8);
    Console c = console(100, 30, Action.SCREEN_NEW_JOB);
    NewJobScreen w = (NewJobScreen) c.currentScreen();
    pick(c, w, "my_style");
    keys(c, 'e');
    assertThat(w.draft()).isNotNull();
    assertThat(w.draft().preset).isTrue();
    assertThat(w.draft().doc.file()).isEqualTo(file);                // edited in place, not copied
    panel(c, w, 5);
    focus(c, w, "training.learning_rate");
    keys(c, ctrl('u'), "2e-4");
    assertThat(w.draft().modified()).isTrue();
    keys(c, ctrl('s'));
    assertThat(text()).contains("saved " + file);
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .isEqualTo(MY_PRESET.replace("learning_rate = 1e-4  #", "learning_rate = 2e-4  #"));
    assertThat(w.draft().modified()).isFalse();
  }
}
