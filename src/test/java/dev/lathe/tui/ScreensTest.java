package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.demo.DemoData;
import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobLock;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.RunnerLauncher;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dashboard, Queue, Datasets and New job screens on a DefaultVirtualTerminal over a real output folder: every
 * screen at 80×24 and below, the queue's actions (stop asks, delete shows what goes, start requeues, reorder, log,
 * where the files are), a dataset scan with its preview, the wizard's validation beside the field, saving with comments
 * kept, a launch that errors block, and quitting with a running job. Workers run inline, so every step is
 * deterministic; launching a real job is in {@link LaunchTest}.
 */
class ScreensTest {
  /** Records the devices it was asked to run; starts nothing. */
  static final class RecordingRunners implements RunnerLauncher {
    final List<String> devices = new CopyOnWriteArrayList<>();

    @Override
    public String ensure(JobStore store, String device) {
      devices.add(device);
      return "runner asked for " + device;
    }
  }

  @TempDir Path root;
  final RecordingRunners runners = new RecordingRunners();
  Workspace ws;
  DefaultVirtualTerminal vt;
  JobLock held;

  @AfterEach
  void tearDown() throws IOException {
    if (held != null) held.close();
    if (ws != null) ws.close();
  }

  Console console(int cols, int rows, Path demoDataset) throws IOException {
    ws = new Workspace(root.resolve("output"), runners, c -> "cpu", null, demoDataset).jobFiles(root.resolve("jobs"));
    ws.refresh();
    vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(cols, rows)).themes(Themes.load(null))
        .workspace(ws).workers(Runnable::run).imageExecutor(Runnable::run).start(Action.SCREEN_DASHBOARD).build();
    c.tick();
    return c;
  }

  void keys(Console c, Object... keys) throws IOException {
    Headless.type(c, vt, keys);
  }

  static KeyStroke ctrl(char c) {
    return new KeyStroke(c, true, false);
  }

  String text() {
    return Headless.of(vt).text();
  }

  String row(String containing) {
    return Headless.of(vt).lines().stream().filter(l -> l.contains(containing)).findFirst()
        .orElseThrow(() -> new AssertionError("no row with '" + containing + "' in\n" + text()));
  }

  /** A job folder in a given state with a log line and, when {@code files}, a checkpoint and a final LoRA. */
  JobFolder job(String name, JobState state, long step, boolean files) throws IOException {
    JobStore store = new JobStore(root.resolve("output"));
    JobFolder j = store.create(name, "extends = \"zimage_turbo\"\n[job]\nname = \"" + name + "\"\n", 100, "cpu");
    JobStatus s = j.readStatus().withStep(step);
    if (state != JobState.QUEUED) s = dev.lathe.testing.JobStates.force(s, state, state == JobState.FAILED ? "out of memory" : null);
    j.writeStatus(s);
    j.log("step " + step + " loss 0.5");
    if (files) {
      Files.createDirectories(j.checkpointsDir());
      Files.write(j.checkpointsDir().resolve(name + "_000000050.safetensors"), new byte[300 * 1024]);
      Files.write(j.finalAdapter(), new byte[200 * 1024]);
    }
    return j;
  }

  @Test
  void everyScreen_at80x24_thenTooSmall() throws IOException {
    job("alpha", JobState.FINISHED, 100, true);
    Console c = console(80, 24, null);
    keys(c, '1');
    assertThat(text()).contains("Recent jobs").contains("alpha").contains("finished").contains("100/100");
    keys(c, '2');
    assertThat(text()).contains("Jobs · " + root.resolve("output")).contains("NAME").contains("alpha")
        .contains("LoRA    " + root.resolve("output/alpha/alpha.safetensors"));
    keys(c, '3');
    assertThat(text()).contains("Dataset folders").contains("No dataset folders yet");
    keys(c, '4');
    assertThat(text()).contains("New job · pick a preset").contains("Demo: tiny model, trains on the CPU in minutes")
        .contains("zimage_turbo");
    keys(c, '5');
    assertThat(text()).contains("alpha").contains("FINISHED");     // the Monitor follows the newest job
    for (String screen : List.of("1", "2", "3", "4", "5")) {
      keys(c, screen);
      assertThat(Headless.of(vt).lines().get(23)).as("footer on screen %s", screen).contains("? help").contains("q quit");
    }
    vt.setTerminalSize(new TerminalSize(60, 20));
    keys(c, '2');
    assertThat(text()).contains("terminal too small: 60×20, need 80×24");
    vt.setTerminalSize(new TerminalSize(80, 24));
    keys(c);
    assertThat(text()).contains("NAME").contains("alpha");
  }

  @Test
  void everyScreen_at200x60_usesTheWholeTerminal() throws IOException {
    job("alpha", JobState.FINISHED, 100, true);
    Console c = console(200, 60, null);
    for (String screen : List.of("1", "2", "3", "4", "5")) {
      keys(c, screen);
      List<String> lines = Headless.of(vt).lines();
      assertThat(lines).as("screen %s", screen).hasSize(60);
      assertThat(lines.get(59)).as("footer on screen %s", screen).contains("? help").contains("q quit");
      assertThat(lines.stream().filter(l -> l.length() > 140 && !l.substring(140).isBlank()).count())
          .as("rows drawn past column 140 on screen %s:%n%s", screen, String.join("\n", lines)).isGreaterThan(0);
      assertThat(lines.stream().skip(30).limit(29).filter(l -> !l.isBlank()).count())
          .as("rows drawn in the lower half on screen %s", screen).isGreaterThan(0);
    }
    keys(c, '5');
    assertThat(text()).contains("alpha").contains("FINISHED");
  }

  @Test
  void queue_stopAsks_deleteShowsWhatGoes_startRequeues_reorder_logAndFiles() throws IOException {
    JobFolder running = job("a-running", JobState.RUNNING, 40, false);
    held = JobLock.tryAcquire(running.dir()).orElseThrow();         // a live owner, as a runner would be
    job("b-stopped", JobState.STOPPED, 50, true);
    job("c-queued", JobState.QUEUED, 0, false);
    job("d-queued", JobState.QUEUED, 0, false);
    Console c = console(80, 24, null);
    keys(c, '2');
    assertThat(row("▸a-running")).contains("running").contains("40/100");

    keys(c, 'x');                                                     // stop asks first
    assertThat(text()).contains("Stop a-running?").contains("[y] stop it");
    assertThat(running.pending()).isEmpty();
    keys(c, 'y');
    assertThat(running.pending()).contains(Control.STOP);

    keys(c, 'j', 'd');                                                // delete lists what goes, with sizes
    String ask = text();
    assertThat(ask).contains("Delete b-stopped?").contains("checkpoints/ (1 file, 300 KB)").contains("b-stopped.safetensors (200 KB, the LoRA)");
    keys(c, 'n');
    assertThat(root.resolve("output/b-stopped")).exists();

    keys(c, 'o');                                                     // where the LoRA is
    assertThat(text()).contains("Files · b-stopped").contains(root.resolve("output/b-stopped/b-stopped.safetensors").toString());
    keys(c, KeyType.Escape, 'l');
    assertThat(text()).contains("Log · b-stopped").contains("step 50 loss 0.5");
    keys(c, KeyType.Escape);

    keys(c, 's');                                                     // start: a stopped job is queued again
    assertThat(new JobFolder(root.resolve("output/b-stopped")).readStatus().state()).isEqualTo(JobState.QUEUED);
    assertThat(runners.devices).containsExactly("cpu");
    assertThat(queued()).containsExactly("c-queued", "d-queued", "b-stopped");
    assertThat(selected(c)).isEqualTo("b-stopped");                  // the selection follows the job

    keys(c, 'K');                                                     // reorder
    assertThat(queued()).containsExactly("c-queued", "b-stopped", "d-queued");
    keys(c, 'J');
    assertThat(queued()).containsExactly("c-queued", "d-queued", "b-stopped");

    while (!selected(c).equals("c-queued")) keys(c, 'k');
    keys(c, 'd');                                                     // delete for real
    keys(c, 'y');
    assertThat(root.resolve("output/c-queued")).doesNotExist();
    assertThat(queued()).containsExactly("d-queued", "b-stopped");
    assertThat(text()).doesNotContain(" c-queued ");

    keys(c, 'k', 'k', 'k', 'd');                                     // a running job is not deleted
    assertThat(selected(c)).isEqualTo("a-running");
    assertThat(text()).contains("stop it first");
    assertThat(root.resolve("output/a-running")).exists();
  }

  List<String> queued() throws IOException {
    return ws.store().queue("cpu").stream().map(JobFolder::name).toList();
  }

  static String selected(Console c) {
    return ((QueueScreen) c.currentScreen()).selectedJob().name();
  }

  @Test
  void datasets_scanSummary_buckets_captionAndPreview(@TempDir Path data) throws IOException {
    DemoData.write(data, DemoData.generate(8, 64, 3));
    Console c = console(80, 24, data);
    ws.refresh();
    keys(c, '3');
    keys(c);
    String t = text();
    assertThat(t).contains(data.toString()).contains("8 images · 8 usable").contains("buckets @64: 64x64 ×8")
        .contains("trigger 'lathedemo'").contains("problems: 0 unusable files");
    assertThat(t).contains("Caption (caption file):").contains("[trigger], a").contains("Trained as:").contains("lathedemo, a");
    assertThat(t).contains("▀");                                      // the half-block preview
    keys(c, KeyType.Tab, 'j');
    assertThat(((DatasetsScreen) c.currentScreen()).report().images()).hasSize(8);
    assertThat(text()).contains("image_01.png");

    Path other = Files.createDirectories(root.resolve("more pictures"));
    DemoData.write(other, DemoData.generate(2, 64, 9));
    keys(c, 'a');
    assertThat(text()).contains("Add a dataset folder");
    keys(c, other.toString(), KeyType.Enter);
    keys(c);
    assertThat(text()).contains(other.toString()).contains("2 images").contains("too small for every resolution");
  }

  @Test
  void wizard_errorBesideTheField_thenFixed_thenAWarning_saveKeepsComments() throws IOException {
    Console c = console(80, 24, null);
    keys(c, '4');
    NewJobScreen w = (NewJobScreen) c.currentScreen();
    while (!w.selectedPreset().name().equals("zimage_deturbo")) keys(c, 'j');
    keys(c, KeyType.Enter);
    assertThat(w.draft()).isNotNull();
    assertThat(text()).contains("JOB").contains("MODEL").contains("LAUNCH").contains("Training Name");
    assertThat(c.currentScreen().scope()).isEqualTo(Scope.PANELS);

    for (int i = 0; i < 4; i++) keys(c, KeyType.PageDown);
    assertThat(text()).contains("─ SAVE").contains("Save Every");
    keys(c, KeyType.ArrowDown);
    assertThat(w.form().focused().key()).isEqualTo("save.every");
    keys(c, ctrl('u'), "abc");
    assertThat(row("Save Every")).contains("abc").contains("✗ expected an integer");
    assertThat(c.exit()).isNull();                                    // letters went into the field
    keys(c, ctrl('u'), "100");
    assertThat(row("Save Every")).contains("100").contains("! save.every is 100 but sam");   // cut at 80 columns...
    assertThat(text()).contains("save.every is 100 but sample.every is 250");             // ...in full below
    keys(c, ctrl('u'), "250");
    assertThat(row("Save Every")).doesNotContain("!").doesNotContain("✗");
    keys(c, ctrl('u'), "100");

    keys(c, ctrl('s'));
    Path file = w.draft().doc.file();
    String saved = Files.readString(file);
    assertThat(saved).startsWith("# Job file made in the Lathe console from the preset zimage_deturbo.")
        .contains("extends = \"zimage_deturbo\"").contains("[save]").contains("every = 100");
    assertThat(text()).contains("saved " + file);

    keys(c, KeyType.PageUp, KeyType.PageUp, KeyType.PageUp, KeyType.PageUp);   // back on JOB
    assertThat(text()).contains("─ JOB");
    while (!w.form().focused().key().equals("job.trigger_word")) keys(c, KeyType.ArrowDown);
    keys(c, "sks_q");
    assertThat(w.draft().doc.get("job.trigger_word")).isEqualTo("sks_q");
    keys(c, ctrl('r'));                                               // the empty dataset folder blocks the launch
    assertThat(w.tab()).isEqualTo(7);
    assertThat(w.form().focused().key()).isEqualTo("datasets[0].folder");
    assertThat(text()).contains("block the launch");
    assertThat(runners.devices).isEmpty();

    keys(c, KeyType.Escape);                                          // leaving with edits asks
    assertThat(text()).contains("Leave the panels?");
    keys(c, 'd');
    assertThat(w.draft()).isNull();
    assertThat(c.currentScreen().scope()).isEqualTo(Scope.PRESETS);
  }

  @Test
  void wizard_datasetsAndPrompts_addAndRemove() throws IOException {
    Console c = console(100, 30, null);
    keys(c, '4');
    NewJobScreen w = (NewJobScreen) c.currentScreen();
    while (!w.selectedPreset().name().equals("zimage_turbo")) keys(c, 'j');
    keys(c, KeyType.Enter);
    for (int i = 0; i < 7; i++) keys(c, KeyType.PageDown);
    assertThat(text()).contains("DATASETS · 1 folder");
    keys(c, ctrl('n'), root.toString(), KeyType.Enter);
    assertThat(w.draft().doc.count("datasets")).isEqualTo(2);
    assertThat(w.form().focused().key()).isEqualTo("datasets[1].folder");
    keys(c, ctrl('d'));
    assertThat(text()).contains("Remove dataset 2?");
    keys(c, 'y');
    assertThat(w.draft().doc.count("datasets")).isEqualTo(1);

    keys(c, KeyType.PageDown);                                        // SAMPLE: the preset's prompts are inherited
    int inherited = w.draft().rc.config().sample().prompts().size();
    assertThat(inherited).isGreaterThan(0);
    assertThat(w.draft().doc.count("sample.prompts")).isZero();
    keys(c, ctrl('n'), "a [trigger] on the moon", KeyType.Enter);
    assertThat(w.draft().doc.count("sample.prompts")).isEqualTo(inherited + 1);   // copied, then added
    w.draft().resolve();
    assertThat(w.draft().rc.config().sample().prompts().get(inherited).prompt()).isEqualTo("a [trigger] on the moon");
  }

  @Test
  void quit_withARunningJobInTheFolder_asks_thenStopsIt() throws IOException {
    JobFolder running = job("busy", JobState.RUNNING, 10, false);
    held = JobLock.tryAcquire(running.dir()).orElseThrow();
    Console c = console(80, 24, null);
    keys(c, '2');
    ws.attach(null, true);                                             // the Monitor shows nothing, the folder still has a job
    keys(c, 'q');
    assertThat(c.exit()).isNull();
    assertThat(text()).contains("Quit the console?").contains("busy keeps training");
    keys(c, 's');
    assertThat(c.exit()).isEqualTo(Console.Exit.STOP_JOB);
    assertThat(running.pending()).contains(Control.STOP);
  }

  @Test
  void palette_jobAndNew_commands() throws IOException {
    job("alpha", JobState.FINISHED, 100, true);
    job("beta", JobState.STOPPED, 10, false);
    Console c = console(80, 24, null);
    keys(c, ':', "job b", KeyType.Tab);
    assertThat(text()).contains(":job beta");
    keys(c, KeyType.Enter);
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");
    assertThat(ws.snapshot().attached()).isEqualTo(root.resolve("output/beta"));
    keys(c, ':', "new", KeyType.Enter);
    assertThat(c.currentScreen().title()).isEqualTo("New job");

    Path pics = Files.createDirectories(root.resolve("pics"));
    DemoData.write(pics, DemoData.generate(2, 64, 1));
    keys(c, ':', "dataset " + pics, KeyType.Enter);
    keys(c);
    assertThat(c.currentScreen().title()).isEqualTo("Datasets");
    assertThat(text()).contains(pics + "  (added)").contains("2 images");

    keys(c, ':', "output " + root.resolve("elsewhere"), KeyType.Enter);
    keys(c, '2');
    assertThat(ws.output()).isEqualTo(root.resolve("elsewhere"));
    assertThat(text()).contains("Jobs · " + root.resolve("elsewhere")).contains("No jobs in this folder yet").doesNotContain("alpha");
  }
}
