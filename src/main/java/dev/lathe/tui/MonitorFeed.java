package dev.lathe.tui;

import dev.lathe.torch.Gpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MonitorSource} that a training loop or a folder tailer pushes into: each call builds the next immutable
 * snapshot and publishes it; the console's reads never wait. Writers are serialised by this object's lock; appending
 * a step copies no series ({@link Series}).
 */
public final class MonitorFeed implements MonitorSource {
  /** Log lines kept for the tail. */
  public static final int LOG_LINES = 500;

  private volatile MonitorSnapshot current = MonitorSnapshot.EMPTY;

  @Override
  public MonitorSnapshot snapshot() {
    return current;
  }

  /** Starts showing a job: its name, planned steps, state, output folder. Clears the series. */
  public synchronized void job(String name, long totalSteps, JobState state, Path output) {
    MonitorSnapshot c = current;
    current = new MonitorSnapshot(name, state, 0, totalSteps, Series.EMPTY, Series.EMPTY, 0, -1, c.memory(), c.gpus(),
        List.of(), List.of(), output, null);
  }

  public synchronized void state(JobState state, String message) {
    MonitorSnapshot c = current;
    current = new MonitorSnapshot(c.jobName(), state, c.step(), c.totalSteps(), c.loss(), c.lr(),
        state.active() ? c.itPerSec() : 0, state.active() ? c.etaSeconds() : -1, c.memory(), c.gpus(), c.samples(),
        c.log(), c.outputPath(), message);
  }

  /**
   * One logged step. NaN loss or lr are skipped in their series (not every step logs both).
   *
   * @param itPerSec recent speed; the ETA follows from it and the steps left
   */
  public synchronized void step(long step, double loss, double lr, double itPerSec) {
    MonitorSnapshot c = current;
    Series l = Double.isNaN(loss) ? c.loss() : c.loss().append(step, loss);
    Series r = Double.isNaN(lr) ? c.lr() : c.lr().append(step, lr);
    long eta = itPerSec > 0 && c.totalSteps() > 0 ? Math.round(Math.max(0, c.totalSteps() - step) / itPerSec) : -1;
    current = new MonitorSnapshot(c.jobName(), c.state(), step, c.totalSteps(), l, r, itPerSec, eta, c.memory(),
        c.gpus(), c.samples(), c.log(), c.outputPath(), c.message());
  }

  public synchronized void memory(MonitorSnapshot.Memory m) {
    MonitorSnapshot c = current;
    current = new MonitorSnapshot(c.jobName(), c.state(), c.step(), c.totalSteps(), c.loss(), c.lr(), c.itPerSec(),
        c.etaSeconds(), m, c.gpus(), c.samples(), c.log(), c.outputPath(), c.message());
  }

  public synchronized void gpus(List<Gpus.GpuStatus> g) {
    current = current.withGpus(g);
  }

  /** A new sample image of prompt {@code index} (prompts appear in index order). */
  public synchronized void sample(int index, String prompt, long step, Path png) {
    MonitorSnapshot c = current;
    List<MonitorSnapshot.PromptSamples> all = new ArrayList<>(c.samples());
    int at = -1;
    for (int i = 0; i < all.size(); i++) if (all.get(i).index() == index) at = i;
    if (at < 0) {
      all.add(new MonitorSnapshot.PromptSamples(index, prompt, List.of(new MonitorSnapshot.Sample(step, png))));
      all.sort((a, b) -> Integer.compare(a.index(), b.index()));
    } else {
      List<MonitorSnapshot.Sample> s = new ArrayList<>(all.get(at).byStep());
      s.removeIf(x -> x.step() == step);
      s.add(new MonitorSnapshot.Sample(step, png));
      s.sort((a, b) -> Long.compare(a.step(), b.step()));
      all.set(at, new MonitorSnapshot.PromptSamples(index, prompt, s));
    }
    current = new MonitorSnapshot(c.jobName(), c.state(), c.step(), c.totalSteps(), c.loss(), c.lr(), c.itPerSec(),
        c.etaSeconds(), c.memory(), c.gpus(), all, c.log(), c.outputPath(), c.message());
  }

  /** Replaces the log tail (a tailer that re-reads the end of a file). */
  public synchronized void replaceLog(List<String> lines) {
    MonitorSnapshot c = current;
    List<String> l = lines.size() > LOG_LINES ? lines.subList(lines.size() - LOG_LINES, lines.size()) : lines;
    current = new MonitorSnapshot(c.jobName(), c.state(), c.step(), c.totalSteps(), c.loss(), c.lr(), c.itPerSec(),
        c.etaSeconds(), c.memory(), c.gpus(), c.samples(), l, c.outputPath(), c.message());
  }

  /** Appends log lines, keeping the last {@link #LOG_LINES}. */
  public synchronized void log(String... lines) {
    MonitorSnapshot c = current;
    List<String> l = new ArrayList<>(c.log());
    for (String s : lines) l.add(s);
    if (l.size() > LOG_LINES) l = l.subList(l.size() - LOG_LINES, l.size());
    current = new MonitorSnapshot(c.jobName(), c.state(), c.step(), c.totalSteps(), c.loss(), c.lr(), c.itPerSec(),
        c.etaSeconds(), c.memory(), c.gpus(), c.samples(), l, c.outputPath(), c.message());
  }
}
