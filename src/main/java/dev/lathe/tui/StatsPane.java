package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import dev.lathe.torch.Gpus;
import java.util.List;
import java.util.Locale;

/**
 * Memory and GPU figures of the job: the memory gauge (GPU memory used / peak / total, or process RSS over RAM on a
 * CPU run), one utilisation gauge per GPU with temperature and power, and in its framed form the progress figures.
 * Unframed it is two rows (the 80×24 layout).
 */
final class StatsPane extends AbstractComponent<StatsPane> {
  private final Skin skin;
  private final Gauge memory;
  private final Gauge gpu;
  private boolean framed = true;
  private MonitorSnapshot job = MonitorSnapshot.EMPTY;
  private List<Gpus.GpuStatus> gpus = List.of();

  StatsPane(Skin skin) {
    this.skin = skin;
    this.memory = new Gauge(skin, "VRAM", Role.VRAM);
    this.gpu = new Gauge(skin, "GPU0", Role.GPU);
  }

  int gpuCount() {
    return gpus.size();
  }

  StatsPane framed(boolean f) {
    if (f != framed) {
      framed = f;
      invalidate();
    }
    return this;
  }

  void show(MonitorSnapshot j, List<Gpus.GpuStatus> g) {
    job = j;
    gpus = g;
    MonitorSnapshot.Memory m = j.memory();
    memory.label(m.gpu() || !m.known() ? "VRAM" : "RAM ");
    memory.show(m.known() ? m.used() / 1e9 : -1, m.peak() / 1e9, m.total() / 1e9,
        m.known() ? Fmt.gb(m.used()) + "/" + Fmt.gb(m.total()) + " GB" : "?");
    invalidate();
  }

  private void drawGpu(TextGUIGraphics g, int row, Gpus.GpuStatus s, boolean details) {
    gpu.label("GPU" + s.index());
    String util = s.utilPercent() >= 0 ? s.utilPercent() + "%" : "?";
    String extra = (s.temperatureC() >= 0 ? " " + s.temperatureC() + "°C" : "")
        + (s.powerWatts() >= 0 ? String.format(Locale.ROOT, " %.0fW", s.powerWatts()) : "");
    if (!skin.unicode()) extra = extra.replace("°", "");
    gpu.show(Math.max(-1, s.utilPercent()), -1, 100, util + (details ? "" : extra));
    gpu.draw(g.newTextGraphics(new TerminalPosition(0, row), new TerminalSize(g.getSize().getColumns(), 1)));
    // NVML's memory figure is the whole device (every process on it), unlike the job's own VRAM gauge above
    String mem = s.memTotal() > 0 && s.memUsed() >= 0 ? " · " + Fmt.gb(s.memUsed()) + "/" + Fmt.gb(s.memTotal()) + " GB" : "";
    if (details && row + 1 < g.getSize().getRows()) Frames.text(g, skin, 5, row + 1, s.name() + extra + mem, Role.MUTED);
  }

  @Override
  protected ComponentRenderer<StatsPane> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(StatsPane p) {
        return new TerminalSize(40, p.framed ? 8 : 2);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, StatsPane p) {
        TextGUIGraphics g = p.framed ? Frames.framed(g0, p.skin, "Memory · GPU", false) : g0;
        if (!p.framed) {
          p.skin.theme().apply(g, Role.TEXT);
          g.fill(' ');
        }
        int w = g.getSize().getColumns(), h = g.getSize().getRows();
        if (w < 10 || h < 1) return;
        int row = 0;
        p.memory.draw(g.newTextGraphics(new TerminalPosition(0, row++), new TerminalSize(w, 1)));
        MonitorSnapshot.Memory m = p.job.memory();
        if (p.framed && row < h) {
          String peak = m.peak() >= 0 ? "peak " + Fmt.gb(m.peak()) + " GB" : "peak ?";
          Frames.text(g, p.skin, 5, row++, peak + (m.known() && !m.gpu() ? " · process RSS on CPU" : ""), Role.MUTED);
        }
        if (p.gpus.isEmpty()) {
          if (row < h) Frames.text(g, p.skin, 0, row++, p.framed ? "no GPU status (NVML not available)" : "GPU  none (CPU run or no NVML)", Role.MUTED);
        } else {
          for (Gpus.GpuStatus s : p.gpus) {
            if (row >= h || (!p.framed && row >= 2)) break;
            p.drawGpu(g, row, s, p.framed);
            row += p.framed ? 2 : 1;
          }
        }
        if (p.framed && row + 1 < h && p.job.state() != JobState.NONE) {
          row++;
          MonitorSnapshot j = p.job;
          String pct = j.totalSteps() > 0 ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * j.step() / j.totalSteps()) : "";
          Frames.text(g, p.skin, 0, row++, "step " + j.step() + (j.totalSteps() > 0 ? "/" + j.totalSteps() : "") + pct, Role.TEXT);
          if (row < h) Frames.text(g, p.skin, 0, row, Fmt.rate(j.itPerSec()) + " · ETA " + Fmt.duration(j.etaSeconds()), Role.TEXT);
        }
      }
    };
  }
}
