package dev.lathe.cli;

import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobLock;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.Metrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands that act on jobs run by any process, through their folders: status, stop, save-now, sample-now. */
final class JobsCommands {
  private JobsCommands() {}

  /** Options shared by the job commands. */
  static final class Where {
    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "folder holding the job folders (default: ${DEFAULT-VALUE})",
        defaultValue = "output")
    Path output;
  }

  static String describe(JobFolder j) {
    try {
      JobStatus s = j.readStatus();
      Metrics last = j.lastLoss().orElse(null);   // read from the end of the file: cheap on long runs
      String live = s.state().active() ? (JobLock.held(j.dir()) ? "" : " (owner gone: run any lathe command to mark it interrupted)") : "";
      // metrics.jsonl gets every step; state.json's step is written at most twice a second
      long step = last == null ? s.step() : Math.max(s.step(), last.step());
      return String.format(Locale.ROOT, "%-24s %-11s %6d/%-6d %s%s%s", j.name(), s.status(), step, s.totalSteps(), s.device(),
          last == null ? "" : String.format(Locale.ROOT, "  loss %.4f  %.2f it/s", last.loss(), last.itPerSec() == null ? 0 : last.itPerSec()),
          s.message() == null ? live : "  " + s.message() + live);
    } catch (Exception e) {
      return j.name() + ": " + Main.oneLine(e);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show every job (or one) with its state, step and last loss.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Mixin Where where;
    @Parameters(arity = "0..1", paramLabel = "JOB", description = "job name or folder") String job;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      JobStore store = new JobStore(where.output);
      store.recover();
      if (job != null) {
        JobFolder j = store.open(job);
        out.println(describe(j));
        out.println("  folder     " + j.dir());
        out.println("  adapter    " + (java.nio.file.Files.exists(j.finalAdapter()) ? j.finalAdapter() : "(not written yet)"));
        var ck = j.checkpoints().newest();
        out.println("  checkpoint " + (ck.isPresent() ? "step " + ck.get().step() + ": " + j.checkpointsDir().resolve(ck.get().adapter()) : "none"));
        for (String line : j.tailLog(5)) out.println("  | " + line);
        return ExitCode.OK;
      }
      List<JobFolder> all = store.list();
      if (all.isEmpty()) out.println("no jobs in " + store.root());
      for (JobFolder j : all) out.println(describe(j));
      return ExitCode.OK;
    }
  }

  /** Drops a control request into a job's folder. */
  abstract static class Request implements Callable<Integer> {
    @CommandLine.Mixin Where where;
    @Parameters(paramLabel = "JOB", description = "job name or folder") String job;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    abstract Control control();

    @Override
    public Integer call() throws Exception {
      JobStore store = new JobStore(where.output);
      store.recover();
      JobFolder j = store.open(job);
      JobStatus s = j.readStatus();
      if (control() == Control.STOP && s.state() == JobState.QUEUED) {
        store.cancel(j);
        spec.commandLine().getOut().println(j.name() + ": taken out of the queue (stopped)");
        return ExitCode.OK;
      }
      if (!s.state().active()) throw new CliException(ExitCode.PROBLEMS, "job " + j.name() + " is " + s.status() + ", not running");
      j.request(control());
      spec.commandLine().getOut().println(j.name() + ": " + control().file() + " requested; the trainer acts on it after the current step");
      return ExitCode.OK;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a job after its current step (a full checkpoint is written), or take a queued job out of the queue.")
  static final class Stop extends Request {
    @Override
    Control control() {
      return Control.STOP;
    }
  }

  @Command(name = "save-now", mixinStandardHelpOptions = true, description = "Ask a running job to write a checkpoint now.")
  static final class SaveNow extends Request {
    @Override
    Control control() {
      return Control.SAVE_NOW;
    }
  }

  @Command(name = "sample-now", mixinStandardHelpOptions = true, description = "Ask a running job to render its preview samples now.")
  static final class SampleNow extends Request {
    @Override
    Control control() {
      return Control.SAMPLE_NOW;
    }
  }
}
