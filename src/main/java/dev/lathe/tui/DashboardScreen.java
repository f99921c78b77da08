package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first screen: the attached job at a glance (state, step/total with a progress bar, loss sparkline, it/s, ETA,
 * output folder), the memory and GPU gauges, and the output folder's jobs, most recently updated first.
 */
public final class DashboardScreen implements ConsoleScreen {
  private final Skin skin;
  private final JobPane job;
  private final StatsPane stats;
  private final RecentJobs recent;
  private final Panel body;

  public DashboardScreen(Shell shell) {
    this.skin = shell.skin();
    job = new JobPane(skin);
    stats = new StatsPane(skin);
    recent = new RecentJobs(skin);
    body = new Panel(new PanesLayout() {
      @Override
      public void doLayout(TerminalSize area, List<Component> components) {
        int w = area.getColumns(), h = area.getRows();
        int jobH = Math.min(8, h / 3), statsH = Math.min(10, 4 + 2 * Math.max(1, Math.min(2, stats.gpuCount())) + 2);
        if (w >= 120) {
          int left = w / 2;
          place(job, 0, 0, left, jobH);
          place(stats, left, 0, w - left, Math.max(jobH, statsH));
          place(recent, 0, Math.max(jobH, statsH), w, h - Math.max(jobH, statsH));
        } else {
          place(job, 0, 0, w, jobH);
          place(stats, 0, jobH, w, statsH);
          place(recent, 0, jobH + statsH, w, Math.max(0, h - jobH - statsH));
        }
      }
    });
    Console.noFill(body);
    body.addComponent(job).addComponent(stats).addComponent(recent);
  }

  @Override
  public String title() {
    return "Dashboard";
  }

  @Override
  public Action showAction() {
    return Action.SCREEN_DASHBOARD;
  }

  @Override
  public Scope scope() {
    return Scope.GLOBAL;
  }

  @Override
  public Component component() {
    return body;
  }

  @Override
  public void show(Frame frame) {
    job.show(frame.job());
    stats.show(frame.job(), frame.gpus());
    recent.show(frame.workspace());
  }

  @Override
  public Map<Action, Runnable> handlers() {
    return Map.of();
  }

  /** The attached job in a few lines. */
  static final class JobPane extends AbstractComponent<JobPane> {
    private final Skin skin;
    private final Gauge progress;
    private final Sparkline spark;
    private MonitorSnapshot job = MonitorSnapshot.EMPTY;

    JobPane(Skin skin) {
      this.skin = skin;
      this.progress = new Gauge(skin, "step", Role.ACCENT);
      this.spark = new Sparkline(skin, Role.LOSS_SMOOTH);
    }

    void show(MonitorSnapshot j) {
      job = j;
      long total = Math.max(1, j.totalSteps());
      progress.show(j.step(), -1, total, j.step() + "/" + (j.totalSteps() > 0 ? j.totalSteps() : "?")
          + String.format(Locale.ROOT, " %.0f%%", 100.0 * j.step() / total));
      spark.show(j.loss());
      invalidate();
    }

    @Override
    protected ComponentRenderer<JobPane> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(JobPane p) {
          return new TerminalSize(40, 8);
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, JobPane p) {
          MonitorSnapshot j = p.job;
          TextGUIGraphics g = Frames.framed(g0, p.skin, j.state() == JobState.NONE ? "Job" : "Job · " + j.jobName(), false);
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          if (j.state() == JobState.NONE) {
            Frames.text(g, p.skin, 0, 0, "no job attached", Role.MUTED);
            if (h > 1) Frames.text(g, p.skin, 0, 1, "New job (key 4): pick Demo and press Enter to train a tiny model", Role.ACCENT);
            if (h > 2) Frames.text(g, p.skin, 0, 2, "on the CPU in minutes, or a preset to set up your own LoRA.", Role.ACCENT);
            if (h > 3) Frames.text(g, p.skin, 0, 3, "Queue (2) lists every job; ? shows the keys of each screen.", Role.MUTED);
            return;
          }
          int row = 0;
          Frames.text(g, p.skin, 0, row, (p.skin.unicode() ? "● " : "* ") + j.state().label(), j.state().role());
          if (j.message() != null) Frames.text(g, p.skin, j.state().label().length() + 4, row, j.message(), Role.MUTED);
          row++;
          if (row < h) p.progress.draw(g.newTextGraphics(new TerminalPosition(0, row++), new TerminalSize(w, 1)));
          if (row < h) {
            String loss = j.loss().isEmpty() ? "loss –  " : "loss " + Fmt.num(j.loss().lastY()) + "  ";
            Frames.text(g, p.skin, 0, row, loss, Role.TEXT);
            if (w > loss.length() + 4) p.spark.draw(g.newTextGraphics(new TerminalPosition(loss.length(), row), new TerminalSize(w - loss.length(), 1)));
            row++;
          }
          if (row < h) Frames.text(g, p.skin, 0, row++, Fmt.rate(j.itPerSec()) + " · ETA " + Fmt.duration(j.etaSeconds()), Role.TEXT);
          if (row < h && j.outputPath() != null) Frames.text(g, p.skin, 0, row, "output " + j.outputPath(), Role.MUTED);
        }
      };
    }
  }

  /** The output folder's jobs, most recently updated first. */
  static final class RecentJobs extends AbstractComponent<RecentJobs> {
    private final Skin skin;
    private Workspace.Snapshot space = Workspace.Snapshot.EMPTY;

    RecentJobs(Skin skin) {
      this.skin = skin;
    }

    void show(Workspace.Snapshot s) {
      if (s != space) {
        space = s;
        invalidate();
      }
    }

    @Override
    protected ComponentRenderer<RecentJobs> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(RecentJobs r) {
          return new TerminalSize(40, 6);
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, RecentJobs r) {
          TextGUIGraphics g = Frames.framed(g0, r.skin, "Recent jobs" + (r.space.output() == null ? "" : " · " + r.space.output()), false);
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          List<Workspace.JobRow> jobs = new java.util.ArrayList<>(r.space.jobs());
          if (jobs.isEmpty()) {
            Frames.text(g, r.skin, 0, 0, r.space.output() == null ? "no output folder" : "none yet; the Queue (2) lists every job", Role.MUTED);
            return;
          }
          jobs.sort(java.util.Comparator.comparing(Workspace.JobRow::updated).reversed());
          int name = Math.max(8, Math.min(28, w - 50));
          for (int i = 0; i < Math.min(h, jobs.size()); i++) {
            Workspace.JobRow j = jobs.get(i);
            int x = 0;
            Frames.text(g, r.skin, x, i, Fmt.pad(j.name(), name, r.skin.unicode()), Role.TEXT);
            x += name + 1;
            Frames.text(g, r.skin, x, i, Fmt.pad(JobRows.state(j), 12, r.skin.unicode()), j.shown().role());
            x += 13;
            Frames.text(g, r.skin, x, i, Fmt.pad(JobRows.step(j), 13, r.skin.unicode()), Role.TEXT);
            x += 14;
            Frames.text(g, r.skin, x, i, Fmt.pad("loss " + JobRows.loss(j), 12, r.skin.unicode()), Role.LOSS);
            x += 13;
            Frames.text(g, r.skin, x, i, JobRows.updated(j.updated()), Role.MUTED);
          }
        }
      };
    }
  }
}
