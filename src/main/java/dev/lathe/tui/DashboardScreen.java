package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.LayoutManager;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first screen: the attached job at a glance (state, step/total with a progress bar, loss sparkline, it/s, ETA,
 * output folder) and the memory and GPU gauges. The recent-jobs list is a PLACEHOLDER until the job store exists.
 */
public final class DashboardScreen implements ConsoleScreen {
  private final Skin skin;
  private final JobPane job;
  private final StatsPane stats;
  private final Box recent;
  private final Panel body;

  public DashboardScreen(Shell shell) {
    this.skin = shell.skin();
    job = new JobPane(skin);
    stats = new StatsPane(skin);
    recent = new Box(skin).title("Recent jobs").caption("the job list arrives with the job store; 5 opens the Monitor");
    body = new Panel(new LayoutManager() {
      @Override
      public TerminalSize getPreferredSize(List<Component> components) {
        return new TerminalSize(80, 21);
      }

      @Override
      public boolean hasChanged() {
        return false;
      }

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

      private void place(Component c, int x, int y, int w, int h) {
        c.setPosition(new TerminalPosition(x, y));
        c.setSize(new TerminalSize(Math.max(0, w), Math.max(0, h)));
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
            if (h > 1) Frames.text(g, p.skin, 0, 1, "start one from New job (4) or the Queue (2)", Role.MUTED);
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
}
