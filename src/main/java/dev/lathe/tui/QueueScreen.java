package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import dev.lathe.jobs.JobState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every job of the output folder with its state, step, last loss, device and last update; below, the selected job's
 * folder, LoRA and message. Keys open it in the Monitor, start, stop, delete (asking first), reorder the queue, show
 * its log and where its files are. Disk work runs off the GUI thread through the {@link Workspace}.
 */
public final class QueueScreen implements ConsoleScreen {
  private final Shell shell;
  private final Skin skin;
  private final Body body;
  private final Map<Action, Runnable> handlers = new EnumMap<>(Action.class);
  private Workspace.Snapshot space = Workspace.Snapshot.EMPTY;
  private int selected;
  private String selectedName;

  public QueueScreen(Shell shell) {
    this.shell = shell;
    this.skin = shell.skin();
    this.body = new Body();
    handlers.put(Action.SELECT_UP, () -> select(selected - 1));
    handlers.put(Action.SELECT_DOWN, () -> select(selected + 1));
    handlers.put(Action.OPEN, this::open);
    handlers.put(Action.START, this::start);
    handlers.put(Action.STOP, this::stop);
    handlers.put(Action.DELETE, this::delete);
    handlers.put(Action.MOVE_UP, () -> move(-1));
    handlers.put(Action.MOVE_DOWN, () -> move(+1));
    handlers.put(Action.SHOW_LOG, this::log);
    handlers.put(Action.SHOW_OUTPUT, this::output);
  }

  @Override
  public String title() {
    return "Queue";
  }

  @Override
  public Action showAction() {
    return Action.SCREEN_QUEUE;
  }

  @Override
  public Scope scope() {
    return Scope.QUEUE;
  }

  @Override
  public Component component() {
    return body;
  }

  @Override
  public Map<Action, Runnable> handlers() {
    return handlers;
  }

  @Override
  public void show(Frame frame) {
    if (frame.workspace() == space) return;
    space = frame.workspace();
    int at = -1;
    for (int i = 0; i < space.jobs().size(); i++) if (space.jobs().get(i).name().equals(selectedName)) at = i;
    select(at >= 0 ? at : selected);
  }

  @Override
  public String disabledReason(Action a) {
    if (!handlers.containsKey(a) || a == Action.SELECT_UP || a == Action.SELECT_DOWN) return null;
    if (shell.workspace() == null) return "no output folder (start the console with --output DIR)";
    if (space.jobs().isEmpty()) return "no jobs yet: press 4 for New job";
    return null;
  }

  /** The selected job, or null. */
  Workspace.JobRow selectedJob() {
    return selected >= 0 && selected < space.jobs().size() ? space.jobs().get(selected) : null;
  }

  private void select(int i) {
    int n = space.jobs().size();
    selected = n == 0 ? 0 : Math.max(0, Math.min(n - 1, i));
    Workspace.JobRow r = selectedJob();
    selectedName = r == null ? null : r.name();
    body.invalidate();
  }

  private void open() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    shell.workspace().attach(r.dir(), true);
    shell.show(Action.SCREEN_MONITOR);
  }

  private void start() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    if (r.state().active()) {
      shell.flash(r.name() + " is already " + r.state().id(), Role.MUTED);
      return;
    }
    if (r.state() == JobState.FINISHED) {
      shell.flash(r.name() + " has finished; o shows where its LoRA is", Role.MUTED);
      return;
    }
    shell.background(() -> shell.workspace().start(r), m -> shell.flash(m, Role.OK));
  }

  private void stop() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    if (r.state() == JobState.QUEUED) {
      shell.ask("Take " + r.name() + " out of the queue?", "It will not start; s queues it again later.",
          List.of(new Shell.Choice("y", "take it out"), new Shell.Choice("n", "leave it queued")), k -> {
            if (k.equals("y")) shell.background(() -> shell.workspace().stop(r), m -> shell.flash(m, Role.WARN));
          });
      return;
    }
    if (!r.state().active()) {
      shell.flash(r.name() + " is " + r.state().id() + "; nothing to stop", Role.MUTED);
      return;
    }
    shell.ask("Stop " + r.name() + "?", "It finishes its current step, saves a checkpoint and stops. s starts it "
        + "again from there.",
        List.of(new Shell.Choice("y", "stop it"), new Shell.Choice("n", "keep training")), k -> {
          if (k.equals("y")) shell.background(() -> shell.workspace().stop(r), m -> shell.flash(m, Role.WARN));
        });
  }

  private void delete() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    if (r.state().active()) {
      shell.flash(r.name() + " is " + r.state().id() + "; stop it first (x)", Role.WARN);
      return;
    }
    shell.background(() -> shell.workspace().deletionPlan(r), plan -> shell.ask("Delete " + r.name() + "?",
        "This deletes " + r.dir() + ": " + summary(plan) + ". It cannot be undone.",
        List.of(new Shell.Choice("y", "delete it all"), new Shell.Choice("n", "keep it")), k -> {
          if (k.equals("y")) shell.background(() -> shell.workspace().delete(r), m -> shell.flash(m, Role.WARN));
        }));
  }

  /** "23 files, 4.1 MB: job.toml, checkpoints/ (6 files, 3.9 MB), demo.safetensors (1.0 MB, the LoRA), ...". */
  static String summary(Workspace.Deletion plan) {
    Map<String, long[]> groups = new LinkedHashMap<>();          // top-level name → {files, bytes}
    for (int i = 0; i < plan.files().size(); i++) {
      String f = plan.files().get(i);
      int slash = f.indexOf('/');
      String top = slash < 0 ? f : f.substring(0, slash + 1);
      long[] g = groups.computeIfAbsent(top, k -> new long[2]);
      g[0]++;
      g[1] += plan.sizes().get(i);
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, long[]> e : groups.entrySet()) {
      String name = e.getKey();
      long[] g = e.getValue();
      String what = name.endsWith("/") ? " (" + g[0] + " file" + (g[0] == 1 ? "" : "s") + ", " + JobRows.bytes(g[1]) + ")"
          : name.equals(plan.job().name() + ".safetensors") ? " (" + JobRows.bytes(g[1]) + ", the LoRA)"
          : g[1] >= 100 * 1024 ? " (" + JobRows.bytes(g[1]) + ")" : "";
      parts.add(name + what);
    }
    int n = plan.files().size();
    return n + " file" + (n == 1 ? "" : "s") + ", " + JobRows.bytes(plan.bytes()) + ": " + String.join(", ", parts);
  }

  private void move(int delta) {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    if (r.state() != JobState.QUEUED) {
      shell.flash("only queued jobs move; " + r.name() + " is " + r.state().id(), Role.MUTED);
      return;
    }
    shell.background(() -> shell.workspace().move(r, delta), m -> shell.flash(m, Role.MUTED));   // the selection follows by name
  }

  private void log() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    shell.background(() -> shell.workspace().log(r, 2000), lines -> shell.text("Log · " + r.name(), lines, true));
  }

  private void output() {
    Workspace.JobRow r = selectedJob();
    if (r == null) return;
    shell.background(() -> JobRows.whereIs(r.dir()), lines -> shell.text("Files · " + r.name(), lines, false));
  }

  /** The table and the selected job's details. */
  private final class Body extends AbstractComponent<Body> {
    private int top;

    @Override
    protected ComponentRenderer<Body> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(Body b) {
          return PanesLayout.BODY;
        }

        @Override
        public void drawComponent(TextGUIGraphics g, Body b) {
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          int detailsH = Math.min(8, Math.max(0, h - 6));
          TextGUIGraphics t = g.newTextGraphics(TerminalPosition.TOP_LEFT_CORNER, new TerminalSize(w, h - detailsH));
          TextGUIGraphics d = g.newTextGraphics(new TerminalPosition(0, h - detailsH), new TerminalSize(w, detailsH));
          drawTable(t);
          drawDetails(d);
        }
      };
    }

    private void drawTable(TextGUIGraphics g0) {
      Workspace ws = shell.workspace();
      String title = ws == null ? "Jobs" : "Jobs · " + ws.output();
      TextGUIGraphics g = Frames.framed(g0, skin, title, true);
      int w = g.getSize().getColumns(), h = g.getSize().getRows();
      if (ws == null) {
        Frames.text(g, skin, 1, 0, "no output folder: start the console with --output DIR", Role.MUTED);
        return;
      }
      List<Workspace.JobRow> jobs = space.jobs();
      if (jobs.isEmpty()) {
        Frames.text(g, skin, 1, 0, "No jobs in this folder yet.", Role.TEXT);
        Frames.text(g, skin, 1, 2, "Press 4 for New job. Its first entry, Demo, trains a tiny model on the CPU in", Role.MUTED);
        Frames.text(g, skin, 1, 3, "minutes: Enter on it, then watch the Monitor.", Role.MUTED);
        if (space.problem() != null) Frames.text(g, skin, 1, 5, space.problem(), Role.WARN);
        return;
      }
      int[] cols = columns(w);
      header(g, cols);
      int rows = Math.max(1, h - 1);
      if (selected < top) top = selected;
      if (selected >= top + rows) top = selected - rows + 1;
      top = Math.max(0, Math.min(top, Math.max(0, jobs.size() - rows)));
      for (int i = 0; i < rows && top + i < jobs.size(); i++) {
        Workspace.JobRow r = jobs.get(top + i);
        boolean sel = top + i == selected;
        int y = 1 + i;
        if (sel) {
          skin.theme().apply(g, Role.SELECTED);
          g.putString(0, y, " ".repeat(w));
        }
        cell(g, cols[0], y, cols[1], (sel ? (skin.unicode() ? "▸" : ">") : " ") + r.name(), sel ? Role.SELECTED : Role.TEXT, sel);
        cell(g, cols[2], y, cols[3], JobRows.state(r), sel ? Role.SELECTED : r.shown().role(), sel);
        cell(g, cols[4], y, cols[5], JobRows.step(r), sel ? Role.SELECTED : Role.TEXT, sel);
        cell(g, cols[6], y, cols[7], JobRows.loss(r), sel ? Role.SELECTED : Role.LOSS, sel);
        cell(g, cols[8], y, cols[9], r.device(), sel ? Role.SELECTED : Role.MUTED, sel);
        cell(g, cols[10], y, cols[11], JobRows.updated(r.updated()), sel ? Role.SELECTED : Role.MUTED, sel);
        skin.theme().apply(g, Role.TEXT);
      }
      if (jobs.size() > rows) {
        Frames.text(g, skin, Math.max(0, w - 14), 0, (top + 1) + "-" + Math.min(jobs.size(), top + rows) + " of " + jobs.size(), Role.MUTED);
      }
    }

    /** x and width of: name, state, step, loss, device, updated. */
    private int[] columns(int w) {
      int state = 12, step = 13, loss = 8, device = 7, updated = 12;
      int name = Math.max(8, w - state - step - loss - device - updated - 5);
      int x = 0;
      int[] out = new int[12];
      int[] widths = {name, state, step, loss, device, updated};
      for (int i = 0; i < 6; i++) {
        out[2 * i] = x;
        out[2 * i + 1] = widths[i];
        x += widths[i] + 1;
      }
      return out;
    }

    private void header(TextGUIGraphics g, int[] c) {
      String[] names = {" NAME", "STATE", "STEP", "LOSS", "DEVICE", "UPDATED"};
      for (int i = 0; i < 6; i++) Frames.text(g, skin, c[2 * i], 0, Fmt.fit(names[i], c[2 * i + 1], skin.unicode()), Role.TITLE);
    }

    private void cell(TextGUIGraphics g, int x, int y, int width, String text, Role role, boolean selectedRow) {
      if (x >= g.getSize().getColumns()) return;
      String s = Fmt.fit(skin.unicode() ? text : Fmt.ascii(text), width, skin.unicode());
      if (selectedRow) {
        skin.theme().apply(g, Role.SELECTED);
        g.putString(x, y, s);
      } else {
        Frames.text(g, skin, x, y, s, role);
      }
    }

    private void drawDetails(TextGUIGraphics g0) {
      Workspace.JobRow r = selectedJob();
      TextGUIGraphics g = Frames.framed(g0, skin, r == null ? "Job" : "Job · " + r.name(), false);
      if (r == null) return;
      int row = 0;
      String st = r.shown().label() + (r.state().active() && !r.live() ? " (its process is gone; it will be marked interrupted)" : "");
      Frames.text(g, skin, 0, row, st, r.shown().role());
      if (r.message() != null) Frames.text(g, skin, st.length() + 2, row, r.message(), Role.MUTED);
      row++;
      Frames.text(g, skin, 0, row++, "folder  " + r.dir(), Role.TEXT);
      if (r.adapter() != null) {
        Frames.text(g, skin, 0, row++, "LoRA    " + r.adapter(), Role.OK);
      } else if (r.checkpoint() != null) {
        Frames.text(g, skin, 0, row++, "LoRA    " + r.checkpoint() + " (step " + r.checkpointStep() + ")", Role.TEXT);
      } else {
        Frames.text(g, skin, 0, row++, "LoRA    not written yet (o shows where it will be)", Role.MUTED);
      }
      String hint = switch (r.state()) {
        case QUEUED -> "s starts it now (a runner takes the queue), K/J reorder, x takes it out";
        case RUNNING, STOPPING -> "Enter watches it in the Monitor, x stops it (it saves first)";
        case STOPPED, INTERRUPTED, FAILED -> "s queues it again (it resumes from its newest checkpoint), l shows the log";
        case FINISHED -> "o shows where the LoRA and samples are, d deletes the job";
      };
      Frames.text(g, skin, 0, row, hint, Role.MUTED);
    }
  }
}
