package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.Panel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The live status of one job: loss (raw + EMA, zoom and pan), learning rate, memory and GPU gauges, the newest sample
 * of each prompt with a step selector, and the log tail; keys for pause, sample now, save now and stop. From 120×36 on
 * everything has its own pane; at 80×24 the panes stack, the LR becomes a sparkline and the picture a badge.
 */
public final class MonitorScreen implements ConsoleScreen {
  /** Body size from which the wide layout is used (the whole terminal being 120×36). */
  static final int WIDE_COLUMNS = 120;
  static final int WIDE_ROWS = 33;

  private enum Pane { LOSS, LR, SAMPLES, LOG }

  private final Shell shell;
  private final JobControls controls;
  private final Skin skin;
  final BrailleChart loss;
  final BrailleChart lr;
  final Sparkline lrSpark;
  final StatsPane stats;
  final Box sampleBox;
  final ImageSlot slot;
  final Line lrLine;
  final Line badge;
  final LogTail log;
  private final Panel body;
  private final Map<Action, Runnable> handlers = new EnumMap<>(Action.class);

  private MonitorSnapshot job = MonitorSnapshot.EMPTY;
  private Pane focus = Pane.LOSS;
  private boolean wide;
  private int prompt;                 // index into job.samples()
  private int stepPick = -1;          // index into that prompt's samples, -1 = newest

  public MonitorScreen(Shell shell, JobControls controls) {
    this.shell = shell;
    this.controls = controls;
    this.skin = shell.skin();
    loss = new BrailleChart(skin, Role.LOSS, Role.LOSS_SMOOTH).smoothing(0.95).emptyText("waiting for the first step");
    lr = new BrailleChart(skin, Role.LR, Role.LR).yFormat(v -> String.format(java.util.Locale.ROOT, "%.1e", v))
        .emptyText("no learning rate logged yet");
    lrSpark = new Sparkline(skin, Role.LR);
    stats = new StatsPane(skin);
    sampleBox = new Box(skin).title("Samples");
    slot = new ImageSlot(skin, shell.images(), shell.imageHost());
    lrLine = new Line(skin);
    badge = new Line(skin);
    log = new LogTail(skin, "Log");
    body = new Panel(new Layout());
    Console.noFill(body);
    for (Component c : List.of(loss, lr, lrLine, lrSpark, stats, sampleBox, slot, badge, log)) body.addComponent(c);

    handlers.put(Action.PAUSE, () -> control(Action.PAUSE));
    handlers.put(Action.SAMPLE_NOW, () -> control(Action.SAMPLE_NOW));
    handlers.put(Action.SAVE_NOW, () -> control(Action.SAVE_NOW));
    handlers.put(Action.STOP, this::askStop);
    handlers.put(Action.PAN_LEFT, () -> chart().panLeft());
    handlers.put(Action.PAN_RIGHT, () -> chart().panRight());
    handlers.put(Action.ZOOM_IN, () -> chart().zoomIn());
    handlers.put(Action.ZOOM_OUT, () -> chart().zoomOut());
    handlers.put(Action.ZOOM_RESET, () -> chart().resetView());
    handlers.put(Action.SAMPLE_OLDER, () -> pickStep(-1));
    handlers.put(Action.SAMPLE_NEWER, () -> pickStep(+1));
    handlers.put(Action.PROMPT_PREV, () -> pickPrompt(-1));
    handlers.put(Action.PROMPT_NEXT, () -> pickPrompt(+1));
    handlers.put(Action.LOG_UP, () -> log.scrollUp(3));
    handlers.put(Action.LOG_DOWN, () -> log.scrollDown(3));
    handlers.put(Action.LOG_FOLLOW, log::follow);
    handlers.put(Action.SHOW_OUTPUT, this::output);
    updateFocus();
  }

  @Override
  public String title() {
    return "Monitor";
  }

  @Override
  public Action showAction() {
    return Action.SCREEN_MONITOR;
  }

  @Override
  public Scope scope() {
    return Scope.MONITOR;
  }

  @Override
  public Component component() {
    return body;
  }

  @Override
  public Map<Action, Runnable> handlers() {
    return handlers;
  }

  /** The chart keys act on: the LR chart when it has focus in the wide layout, else the loss chart. */
  BrailleChart chart() {
    return wide && focus == Pane.LR ? lr : loss;
  }

  @Override
  public String disabledReason(Action a) {
    boolean control = a == Action.PAUSE || a == Action.SAMPLE_NOW || a == Action.SAVE_NOW || a == Action.STOP;
    if (!control) return null;
    if (job.state() == JobState.NONE) return "no job is attached";
    if (!job.state().active()) return "the job is " + job.state().label();
    return null;
  }

  @Override
  public void show(Frame frame) {
    job = frame.job();
    loss.show(job.loss());
    String l = job.loss().isEmpty() ? "Loss" : "Loss " + Fmt.num(job.loss().lastY());
    if (!job.loss().isEmpty() && loss.smoothing() > 0) {
      double[] e = BrailleChart.ema(job.loss(), loss.smoothing());
      l += " · EMA " + Fmt.num(e[e.length - 1]);
    }
    loss.title(l + viewNote(loss));
    lr.show(job.lr());
    lr.title("Learning rate" + (job.lr().isEmpty() ? "" : " " + String.format(java.util.Locale.ROOT, "%.2e", job.lr().lastY())) + viewNote(lr));
    lrSpark.show(job.lr());
    lrLine.show(Line.spans("LR ", Role.MUTED, job.lr().isEmpty() ? "–" : String.format(java.util.Locale.ROOT, "%.2e ", job.lr().lastY()), Role.LR));
    stats.show(job, frame.gpus());
    log.show(job.log());
    showSample();
  }

  private String viewNote(BrailleChart c) {
    if (c.zoom() == 1 && c.following()) return "";
    return " · zoom " + (int) c.zoom() + "×" + (c.following() ? "" : " · panned (0 resets)");
  }

  private void showSample() {
    List<MonitorSnapshot.PromptSamples> all = job.samples();
    if (all.isEmpty()) {
      slot.show(null).badge("no samples yet");
      sampleBox.title("Samples").caption("s renders samples at the next step");
      badge.show(Line.spans("Samples ", Role.MUTED, "none yet", Role.TEXT));
      return;
    }
    prompt = Math.max(0, Math.min(prompt, all.size() - 1));
    MonitorSnapshot.PromptSamples p = all.get(prompt);
    List<MonitorSnapshot.Sample> steps = p.byStep();
    if (steps.isEmpty()) return;
    int i = stepPick < 0 ? steps.size() - 1 : Math.min(stepPick, steps.size() - 1);
    MonitorSnapshot.Sample s = steps.get(i);
    slot.show(s.png()).badge("sample step " + s.step());
    String where = "prompt " + (prompt + 1) + "/" + all.size() + " · step " + s.step()
        + " (" + (i + 1) + "/" + steps.size() + (stepPick < 0 ? ", newest" : "") + ")";
    sampleBox.title("Sample · " + where).caption(p.prompt().isEmpty() ? "[ ] step  { } prompt" : p.prompt());
    badge.show(Line.spans("Sample ", Role.MUTED, where, Role.TEXT,
        "  [ ] step  { } prompt  · picture from 120×36 on", Role.MUTED));
  }

  private void pickStep(int delta) {
    if (job.samples().isEmpty()) return;
    int n = job.samples().get(Math.min(prompt, job.samples().size() - 1)).byStep().size();
    int cur = stepPick < 0 ? n - 1 : stepPick;
    int next = Math.max(0, Math.min(n - 1, cur + delta));
    stepPick = next == n - 1 ? -1 : next;          // reaching the newest follows new samples again
    showSample();
  }

  private void pickPrompt(int delta) {
    int n = job.samples().size();
    if (n == 0) return;
    prompt = Math.floorMod(prompt + delta, n);
    stepPick = -1;
    showSample();
  }

  private void control(Action a) {
    String why = disabledReason(a);
    if (why != null) {
      shell.flash(why, Role.WARN);
      return;
    }
    try {
      switch (a) {
        case PAUSE:
          if (job.state() == JobState.PAUSED) {
            controls.resume();
            shell.flash("resuming at the next step", Role.OK);
          } else {
            controls.pause();
            shell.flash("pausing at the next step", Role.WARN);
          }
          break;
        case SAMPLE_NOW:
          controls.sampleNow();
          shell.flash("samples will render at the next step", Role.OK);
          break;
        case SAVE_NOW:
          controls.saveNow();
          shell.flash("a checkpoint will be saved at the next step", Role.OK);
          break;
        default:
          break;
      }
    } catch (RuntimeException e) {
      shell.flash(e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0], Role.ERROR);
    }
  }

  /** o: where the job's LoRA, checkpoints and samples are (read off the GUI thread). */
  private void output() {
    java.nio.file.Path dir = job.outputPath();
    if (job.state() == JobState.NONE || dir == null) {
      shell.flash("no job is attached", Role.WARN);
      return;
    }
    String name = job.jobName();
    shell.background(() -> JobRows.whereIs(dir), lines -> shell.text("Files · " + name, lines, false));
  }

  private void askStop() {
    String why = disabledReason(Action.STOP);
    if (why != null) {
      shell.flash(why, Role.WARN);
      return;
    }
    shell.ask("Stop " + job.jobName() + "?",
        "It finishes its current step, saves a checkpoint and stops. s on the Queue (2) resumes it later.",
        List.of(new Shell.Choice("y", "stop it"), new Shell.Choice("n", "keep training")),
        answer -> {
          if (!answer.equals("y")) return;
          try {
            controls.stop();
            shell.flash("stopping after the next checkpoint", Role.WARN);
          } catch (RuntimeException e) {
            shell.flash(e.getMessage(), Role.ERROR);
          }
        });
  }

  @Override
  public void focusNext(boolean forward) {
    List<Pane> order = wide ? List.of(Pane.LOSS, Pane.LR, Pane.SAMPLES, Pane.LOG) : List.of(Pane.LOSS, Pane.LOG);
    int i = order.indexOf(focus);
    focus = order.get(Math.floorMod((i < 0 ? 0 : i) + (forward ? 1 : -1), order.size()));
    updateFocus();
  }

  private void updateFocus() {
    loss.focused(focus == Pane.LOSS);
    lr.focused(focus == Pane.LR);
    sampleBox.focused(focus == Pane.SAMPLES);
    log.focused(focus == Pane.LOG);
  }

  /** Wide layout in use (for tests). */
  boolean wide() {
    return wide;
  }

  /** Places the panes for the body's size; see the class comment for the two arrangements. */
  private final class Layout extends PanesLayout {
    @Override
    public void doLayout(TerminalSize area, List<Component> components) {
      int w = area.getColumns(), h = area.getRows();
      boolean nowWide = w >= WIDE_COLUMNS && h >= WIDE_ROWS;
      if (nowWide != wide) {
        wide = nowWide;
        if (!wide && (focus == Pane.LR || focus == Pane.SAMPLES)) focus = Pane.LOSS;
        updateFocus();
      }
      if (wide) {
        int left = w * 62 / 100, right = w - left;
        int lossH = h / 2, lrH = h * 22 / 100, logH = h - lossH - lrH;
        place(loss, 0, 0, left, lossH);
        place(lr, 0, lossH, left, lrH);
        place(log, 0, lossH + lrH, left, logH);
        int statsH = Math.min(10, 4 + 2 * Math.max(1, Math.min(2, stats.gpuCount())) + 2);
        place(stats, left, 0, right, statsH);
        place(sampleBox, left, statsH, right, h - statsH);
        place(slot, left + 1, statsH + 1, right - 2, h - statsH - 3);   // inside the frame, above the caption
        for (Component c : List.of(lrLine, lrSpark, badge)) hide(c);
      } else {
        int rest = h - 4, logH = Math.max(3, rest * 40 / 100), lossH = rest - logH;
        place(loss, 0, 0, w, lossH);
        String lrText = lrLine.text();
        place(lrLine, 0, lossH, Math.min(w, lrText.length()), 1);
        place(lrSpark, lrText.length(), lossH, Math.max(0, w - lrText.length()), 1);
        place(stats, 0, lossH + 1, w, 2);
        place(badge, 0, lossH + 3, w, 1);
        place(log, 0, lossH + 4, w, logH);
        for (Component c : List.of(lr, sampleBox, slot)) hide(c);
      }
      stats.framed(wide);
    }
  }
}
