package dev.lathe.tui;

import dev.lathe.torch.Gpus;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the Monitor shows of one job at one moment. Immutable: a {@link MonitorSource} builds a new one when
 * something changes and the console draws whichever is newest; equal identity means "nothing new" and costs no redraw.
 *
 * @param jobName    the job's name
 * @param state      its state
 * @param step       last completed step (0 before the first)
 * @param totalSteps planned steps, 0 when unknown
 * @param loss       (step, loss) per logged step
 * @param lr         (step, learning rate) per logged step
 * @param itPerSec   recent speed, 0 when unknown
 * @param etaSeconds time left, -1 when unknown
 * @param memory     memory of the training device
 * @param gpus       NVML status of each GPU, empty without NVML (the console may add its own watcher's)
 * @param samples    sample images per prompt, prompt order
 * @param log        the last lines of the job's log, oldest first
 * @param outputPath where the adapter is written (the job folder), null when unknown
 * @param message    a one-line status to show (a failure's reason), null when none
 */
public record MonitorSnapshot(String jobName, JobState state, long step, long totalSteps, Series loss, Series lr,
    double itPerSec, long etaSeconds, Memory memory, List<Gpus.GpuStatus> gpus, List<PromptSamples> samples,
    List<String> log, Path outputPath, String message) {

  /** No job attached. */
  public static final MonitorSnapshot EMPTY = new MonitorSnapshot("", JobState.NONE, 0, 0, Series.EMPTY, Series.EMPTY,
      0, -1, Memory.UNKNOWN, List.of(), List.of(), List.of(), null, null);

  public MonitorSnapshot {
    jobName = jobName == null ? "" : jobName;
    state = state == null ? JobState.NONE : state;
    loss = loss == null ? Series.EMPTY : loss;
    lr = lr == null ? Series.EMPTY : lr;
    memory = memory == null ? Memory.UNKNOWN : memory;
    gpus = List.copyOf(gpus == null ? List.of() : gpus);
    samples = List.copyOf(samples == null ? List.of() : samples);
    log = List.copyOf(log == null ? List.of() : log);
  }

  /**
   * Memory of the device that trains: GPU memory (used by this process or the device, its peak, the device total),
   * or on CPU the process RSS, its peak, and physical RAM. Bytes; -1 when unknown.
   */
  public record Memory(long used, long peak, long total, boolean gpu) {
    public static final Memory UNKNOWN = new Memory(-1, -1, -1, false);

    public boolean known() {
      return used >= 0 && total > 0;
    }

    /** From the runtime's figures: device allocation on a GPU, process RSS over physical RAM on the CPU. */
    public static Memory of(dev.lathe.torch.MemoryStats m) {
      return new Memory(m.used(), m.peak(), m.total(), m.hasDevice());
    }
  }

  /** One prompt's samples, oldest step first. */
  public record PromptSamples(int index, String prompt, List<Sample> byStep) {
    public PromptSamples {
      prompt = prompt == null ? "" : prompt;
      byStep = List.copyOf(byStep);
    }
  }

  /** A sample image file rendered at {@code step}. */
  public record Sample(long step, Path png) {}

  /** A copy with other GPU status (the console's own watcher when the source has none). */
  public MonitorSnapshot withGpus(List<Gpus.GpuStatus> g) {
    return new MonitorSnapshot(jobName, state, step, totalSteps, loss, lr, itPerSec, etaSeconds, memory, g, samples,
        log, outputPath, message);
  }
}
