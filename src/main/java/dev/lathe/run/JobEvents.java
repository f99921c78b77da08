package dev.lathe.run;

import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.Metrics;
import dev.lathe.train.StepReport;
import dev.lathe.train.TrainListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns trainer events into the job folder's files: one metrics line per step, phases and checkpoints in the log,
 * the step count in state.json (at most twice a second, atomically), and forwards everything to other listeners
 * (the headless progress line, an in-process console).
 */
final class JobEvents implements TrainListener {
  private final JobFolder job;
  private final List<TrainListener> forward;
  private long lastStateWrite;
  private String phase = "";

  JobEvents(JobFolder job, List<TrainListener> forward) {
    this.job = job;
    this.forward = forward;
  }

  @Override
  public void phase(String p) {
    phase = p;
    io(() -> {
      job.append(Metrics.phase(currentStep(), p));
      if (!p.equals("training")) job.log(p);
    });
    forward.forEach(l -> l.phase(p));
  }

  @Override
  public void step(StepReport r) {
    io(() -> {
      Metrics m = Metrics.step(r.step(), r.loss(), r.lr(), r.gradNorm(), r.seconds() > 0 ? 1 / r.seconds() : 0,
          r.memory().used(), r.memory().peak(), r.memory().total());
      job.append(Double.isNaN(r.preservationLoss()) ? m : m.withPreservation(r.preservationLoss()));
      long now = System.currentTimeMillis();
      if (now - lastStateWrite >= 500) {
        lastStateWrite = now;
        JobStatus s = job.readStatus();
        job.writeStatus(s.withStep(r.step()));
      }
      lastStep = r.step();
    });
    forward.forEach(l -> l.step(r));
  }

  private long lastStep;

  long currentStep() {
    return lastStep;
  }

  void setStep(long step) {
    lastStep = step;
  }

  @Override
  public void sample(long step, int prompt, Path png) {
    forward.forEach(l -> l.sample(step, prompt, png));
  }

  @Override
  public void checkpoint(long step, Path adapter) {
    io(() -> {
      job.writeStatus(job.readStatus().withStep(step).withCheckpoint(step));
      job.log("checkpoint at step " + step + ": " + adapter.getFileName());
    });
    forward.forEach(l -> l.checkpoint(step, adapter));
  }

  @Override
  public void log(String line) {
    io(() -> job.log(line));
    forward.forEach(l -> l.log(line));
  }

  String phase() {
    return phase;
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
