package dev.lathe.cli;

import dev.lathe.train.StepReport;
import dev.lathe.train.TrainListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Headless progress: on a terminal one line redrawn in place (step, bar, loss, it/s, ETA); when piped, a plain
 * line every {@code everySeconds} and at phase changes, so logs stay readable.
 */
final class ProgressPrinter implements TrainListener {
  private final PrintStream out;
  private final boolean tty;
  private final long total;
  private final double everySeconds;
  private double smoothedSeconds = -1;
  private double smoothedLoss = Double.NaN;
  private long lastPrintNanos;
  private boolean lineOpen;
  private final java.util.function.LongSupplier clock;

  ProgressPrinter(PrintStream out, boolean tty, long total, double everySeconds) {
    this(out, tty, total, everySeconds, System::nanoTime);
  }

  /** With {@code clock} (nanoseconds, as {@link System#nanoTime}) deciding when to print: tests pass a fake one. */
  ProgressPrinter(PrintStream out, boolean tty, long total, double everySeconds, java.util.function.LongSupplier clock) {
    this.clock = clock;
    this.out = out;
    this.tty = tty;
    this.total = total;
    this.everySeconds = everySeconds;
  }

  @Override
  public void phase(String phase) {
    if (phase.equals("training")) return;
    line(phase + " ...");
  }

  @Override
  public void step(StepReport r) {
    smoothedSeconds = smoothedSeconds < 0 ? r.seconds() : 0.9 * smoothedSeconds + 0.1 * r.seconds();
    smoothedLoss = Double.isNaN(smoothedLoss) ? r.loss() : 0.9 * smoothedLoss + 0.1 * r.loss();
    long now = clock.getAsLong();
    boolean last = r.step() >= total;
    if (tty) {
      if (now - lastPrintNanos < 100_000_000L && !last) return;   // at most 10 redraws a second
      lastPrintNanos = now;
      int width = 24;
      int filled = (int) Math.round(width * (double) r.step() / total);
      String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
      out.print("\r" + String.format(Locale.ROOT, "step %d/%d [%s] %3.0f%%  loss %.4f  %s  ETA %s  ", r.step(), total, bar,
          100.0 * r.step() / total, smoothedLoss, rate(), eta(r.step())));
      out.flush();
      lineOpen = true;
      if (last) newline();
    } else if (last || (now - lastPrintNanos) / 1e9 >= everySeconds) {
      lastPrintNanos = now;
      out.println(String.format(Locale.ROOT, "step %d/%d  loss %.4f  lr %.3g  grad %.3g  %s  ETA %s", r.step(), total, smoothedLoss,
          r.lr(), r.gradNorm(), rate(), eta(r.step())));
    }
  }

  @Override
  public void sample(long step, int prompt, Path png) {
    line("sample step " + step + " prompt " + prompt + ": " + png);
  }

  @Override
  public void checkpoint(long step, Path adapter) {
    line("checkpoint step " + step + ": " + adapter);
  }

  @Override
  public void log(String text) {
    line(text);
  }

  private String rate() {
    if (smoothedSeconds <= 0) return "-- it/s";
    return smoothedSeconds < 1 ? String.format(Locale.ROOT, "%.2f it/s", 1 / smoothedSeconds) : String.format(Locale.ROOT, "%.2f s/it", smoothedSeconds);
  }

  private String eta(long step) {
    if (smoothedSeconds <= 0) return "--";
    return duration((long) (smoothedSeconds * (total - step)));
  }

  static String duration(long s) {
    if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    return s + "s";
  }

  private void line(String text) {
    newline();
    out.println(text);
    out.flush();
  }

  private void newline() {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
  }
}
