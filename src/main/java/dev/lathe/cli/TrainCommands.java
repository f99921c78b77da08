package dev.lathe.cli;

import dev.lathe.config.Configs;
import dev.lathe.config.Environment;
import dev.lathe.config.JobConfig;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobLock;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.Signals;
import dev.lathe.run.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Headless training: {@code lathe train job.toml}, {@code lathe resume JOB}, {@code lathe queue ...}. */
final class TrainCommands {
  private TrainCommands() {}

  /** Runs a claimed job in this process with a progress line on stdout; returns the exit code. */
  static int runClaimed(JobStore.Claim claim, JobConfig config, PrintWriter err) throws Exception {
    Signals.install();
    JobFolder job = claim.job();
    long total = config.training().steps();
    ProgressPrinter progress = new ProgressPrinter(System.out, System.console() != null, total, 10);
    try (claim) {
      JobRunner.Result r = new JobRunner(job, List.of(progress), () -> JobRunner.runtimeFor(config)).run();
      (r.exitCode() == 0 ? new PrintWriter(System.out, true) : err).println("lathe: " + job.name() + " " + r.state().id() + ": " + r.message());
      return r.exitCode();
    }
  }

  /** Waits until no other job runs on the device, then takes this one. */
  static JobStore.Claim claimWhenFree(JobStore store, JobFolder job, String device, PrintWriter out) throws Exception {
    boolean said = false;
    while (true) {
      store.recover();
      Optional<JobFolder> other = store.running(device);
      if (other.isEmpty()) {
        Optional<JobStore.Claim> c = store.claim(job);
        if (c.isPresent()) return c.get();
        throw new CliException(ExitCode.PROBLEMS, "job " + job.name() + " is being run by another process");
      }
      if (!said) {
        out.println("waiting: job " + other.get().name() + " is running on " + device + " (jobs take turns on a device)");
        said = true;
      }
      if (Signals.received()) throw new CliException(ExitCode.INTERRUPTED, "interrupted while waiting");
      Thread.sleep(2000);
    }
  }

  static JobConfig configOf(JobFolder job) throws Exception {
    ResolvedConfig rc = Configs.load(job.config());
    if (Problem.anyErrors(rc.problems())) throw new CliException(ExitCode.CONFIG, rc.problems().get(0).toString());
    return rc.config();
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Validate a job file, create its job folder and train it here, headless (Ctrl-C stops with a checkpoint).")
  static final class Train implements Callable<Integer> {
    @Parameters(paramLabel = "JOB.toml", description = "a job file (it may extend a preset)") Path file;
    @Option(names = "--name", description = "job name (default: job.name, else the file name)") String name;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ResolvedConfig rc = Configs.load(file);
      List<Problem> problems = Problem.anyErrors(rc.problems()) ? rc.problems() : Configs.check(rc, Environment.detect(rc.config().job().gpuId()));
      for (Problem p : problems) (p.isError() ? err : out).println(p);
      if (Problem.anyErrors(problems)) throw new CliException(ExitCode.CONFIG, "the job file has errors (above); nothing was started");
      JobConfig c = rc.config();
      String jobName = name != null ? name : !c.job().name().isBlank() ? c.job().name() : stem(file);
      JobStore store = new JobStore(rc.outputFolder());
      store.recover();
      Path dir = store.root().resolve(jobName);
      if (new JobFolder(dir).exists()) {
        JobStatus s = new JobFolder(dir).readStatus();
        throw new CliException(ExitCode.CONFIG, "job '" + jobName + "' already exists in " + store.root() + " (" + s.status() + " at step "
            + s.step() + "); continue it with `lathe resume " + jobName + "`, or give another name (--name)");
      }
      String toml = standalone(rc, jobName);
      String device = JobRunner.deviceFor(c);
      JobFolder job = store.create(jobName, toml, c.training().steps(), device);
      out.println("job " + jobName + ": " + job.dir());
      Signals.install();
      return runClaimed(claimWhenFree(store, job, device, out), c, err);
    }
  }

  /**
   * The resolved config as a job folder's job.toml: every field written out, paths made absolute (the file moves
   * into the job folder), the job's name filled in.
   */
  static String standalone(ResolvedConfig rc, String jobName) {
    return rc.standaloneToml(jobName);
  }

  private static String stem(Path f) {
    String n = f.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Continue a stopped, interrupted or failed job from its newest full-state checkpoint, here, headless.")
  static final class Resume implements Callable<Integer> {
    @CommandLine.Mixin JobsCommands.Where where;
    @Parameters(paramLabel = "JOB", description = "job name or folder") String jobName;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JobStore store = new JobStore(where.output);
      store.recover();
      JobFolder job = store.open(jobName);
      JobStatus s = job.readStatus();
      if (s.state() == JobState.FINISHED) throw new CliException(ExitCode.PROBLEMS, "job " + job.name() + " already finished: " + job.finalAdapter());
      if (s.state().active()) throw new CliException(ExitCode.PROBLEMS, "job " + job.name() + " is " + s.status() + " in process " + s.pid());
      JobConfig c = configOf(job);
      var ck = job.checkpoints().newest();
      spec.commandLine().getOut().println("resuming " + job.name() + (ck.isPresent() ? " from step " + ck.get().step() : " from the start (no checkpoint yet)"));
      Signals.install();
      return runClaimed(claimWhenFree(store, job, s.device(), spec.commandLine().getOut()), c, spec.commandLine().getErr());
    }
  }

  @Command(name = "queue", mixinStandardHelpOptions = true, description = "List and change the job queue, or run it.",
      subcommands = {QueueRun.class, QueueMove.Up.class, QueueMove.Down.class, QueueEdit.Cancel.class, QueueEdit.Requeue.class,
          QueueEdit.Delete.class})
  static final class Queue implements Callable<Integer> {
    @CommandLine.Mixin JobsCommands.Where where;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JobStore store = new JobStore(where.output);
      store.recover();
      PrintWriter out = spec.commandLine().getOut();
      List<JobFolder> all = store.list();
      if (all.isEmpty()) out.println("no jobs in " + store.root());
      for (JobFolder j : all) out.println(JobsCommands.describe(j));
      return ExitCode.OK;
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = {
      "Run queued jobs of a device one after another, here: until none is left queued (waiting while another process",
      "trains on the device), or for ever with --follow. One runner per device and output folder: a second one exits."})
  static final class QueueRun implements Callable<Integer> {
    @CommandLine.Mixin JobsCommands.Where where;
    @Option(names = "--device", description = "cpu or cuda:N (default: this machine's first device)") String device;
    @Option(names = "--follow", description = "keep waiting for new jobs") boolean follow;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Signals.install();
      PrintWriter out = spec.commandLine().getOut();
      JobStore store = new JobStore(where.output);
      String dev = device != null ? device : JobRunner.deviceFor(JobConfig.DEFAULTS);
      Optional<JobLock> runner = store.tryRunnerLock(dev);
      if (runner.isEmpty()) {
        out.println("a runner for " + dev + " is already working through " + store.root() + "; nothing to do");
        return ExitCode.OK;
      }
      int last = ExitCode.OK;
      try {
        while (!Signals.received()) {
          store.recover();
          Optional<JobStore.Claim> c = store.claimNext(dev);
          if (c.isEmpty()) {
            if (follow || !store.queue(dev).isEmpty()) {       // queued jobs wait for the device to free up
              Thread.sleep(2000);
              continue;
            }
            // Nothing queued: give the lock up, then look once more, so a job queued just now is not stranded
            // by a console that saw this runner's lock and started none.
            runner.get().close();
            runner = Optional.empty();
            if (store.queue(dev).isEmpty()) break;
            runner = store.tryRunnerLock(dev);
            if (runner.isEmpty()) break;                       // another runner took over
            continue;
          }
          JobConfig cfg;
          try {
            cfg = configOf(c.get().job());
          } catch (CliException e) {
            c.get().job().transition(JobState.FAILED, e.getMessage());
            c.get().close();
            last = e.exitCode();
            continue;
          }
          out.println("running " + c.get().job().name() + " on " + dev);
          last = runClaimed(c.get(), cfg, spec.commandLine().getErr());
        }
      } finally {
        if (runner.isPresent()) runner.get().close();
      }
      return Signals.received() ? ExitCode.INTERRUPTED : last;
    }
  }

  static final class QueueMove {
    abstract static class Move implements Callable<Integer> {
      @CommandLine.Mixin JobsCommands.Where where;
      @Parameters(paramLabel = "JOB") String job;

      abstract int delta();

      @Override
      public Integer call() throws Exception {
        JobStore store = new JobStore(where.output);
        store.move(store.open(job), delta());
        return ExitCode.OK;
      }
    }

    @Command(name = "up", description = "Move a queued job one place earlier.")
    static final class Up extends Move {
      @Override
      int delta() {
        return -1;
      }
    }

    @Command(name = "down", description = "Move a queued job one place later.")
    static final class Down extends Move {
      @Override
      int delta() {
        return 1;
      }
    }
  }

  static final class QueueEdit {
    @Command(name = "cancel", description = "Take a queued job out of the queue (it can be requeued).")
    static final class Cancel implements Callable<Integer> {
      @CommandLine.Mixin JobsCommands.Where where;
      @Parameters(paramLabel = "JOB") String job;

      @Override
      public Integer call() throws Exception {
        JobStore store = new JobStore(where.output);
        store.cancel(store.open(job));
        return ExitCode.OK;
      }
    }

    @Command(name = "requeue", description = "Queue a stopped, interrupted or failed job again; it resumes from its newest checkpoint.")
    static final class Requeue implements Callable<Integer> {
      @CommandLine.Mixin JobsCommands.Where where;
      @Parameters(paramLabel = "JOB") String job;

      @Override
      public Integer call() throws Exception {
        JobStore store = new JobStore(where.output);
        store.recover();
        store.requeue(store.open(job));
        return ExitCode.OK;
      }
    }

    @Command(name = "delete", description = "Delete a job folder that no process runs; lists what goes first, --yes to delete.")
    static final class Delete implements Callable<Integer> {
      @CommandLine.Mixin JobsCommands.Where where;
      @Parameters(paramLabel = "JOB") String job;
      @Option(names = "--yes", description = "really delete") boolean yes;
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JobStore store = new JobStore(where.output);
        store.recover();
        JobFolder j = store.open(job);
        PrintWriter out = spec.commandLine().getOut();
        long bytes = 0;
        List<Path> plan = store.deletionPlan(j);
        for (Path p : plan) bytes += Files.size(p);
        if (!yes) {
          for (Path p : plan) out.println("  " + j.dir().relativize(p));
          out.println(plan.size() + " files, " + DoctorCommand.bytes(bytes) + " would be deleted; add --yes to delete them");
          return ExitCode.OK;
        }
        store.delete(j);
        out.println("deleted " + j.dir() + " (" + plan.size() + " files, " + DoctorCommand.bytes(bytes) + ")");
        return ExitCode.OK;
      }
    }
  }
}
