package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.bench.BenchFiles;
import dev.lathe.bench.BenchSize;
import dev.lathe.bench.BenchSource;
import dev.lathe.bench.Machine;
import dev.lathe.bench.SampleBench;
import dev.lathe.bench.TrainBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lathe bench}: step time, memory and throughput of training and sampling, comparable with scripts/bench. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure step time, memory and throughput of LoRA training and sampling.",
        "Models have fixed sizes and read the same files as the PyTorch reference in scripts/bench",
        "(scripts/bench/run.sh runs both side by side)."},
    subcommands = {BenchCommand.Export.class, BenchCommand.Train.class, BenchCommand.Sample.class, BenchCommand.ConsoleCost.class,
        BenchCommand.Calls.class, BenchCommand.Threads.class})
public final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.OK;
  }

  static final List<String> FAMILIES = List.of("zimage");

  static void checkFamily(String family) {
    if (!FAMILIES.contains(family)) throw new CliException(ExitCode.USAGE, "bench: family '" + family + "' has no bench sizes; known: " + String.join(", ", FAMILIES));
  }

  static BenchSize size(String s) {
    try {
      return BenchSize.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--size: " + e.getMessage());
    }
  }

  /** One result on stdout: as one JSON object with --json, else the lines {@code human} prints. */
  static int report(CommandLine.Model.CommandSpec spec, boolean json, Map<String, Object> map, java.util.function.Consumer<PrintWriter> human)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) out.println(new ObjectMapper().writeValueAsString(map));
    else human.accept(out);
    out.flush();
    return ExitCode.OK;
  }

  /** Progress lines on stderr, so that stdout holds only the result. */
  static java.util.function.Consumer<String> progress(PrintWriter err) {
    return line -> {
      err.println("lathe bench: " + line);
      err.flush();
    };
  }

  /** What train and sample share: the model, the inputs, the machine and the output form. */
  static final class Common {
    @Option(names = "--family", defaultValue = "zimage", paramLabel = "ID", description = "model family (default zimage)")
    String family;

    @Option(names = "--size", paramLabel = "SIZE", description = "tiny, small, medium or full: random weights and inputs from --seed (no files needed)")
    String size;

    @Option(names = "--weights", paramLabel = "FILE", description = "weights.safetensors written by 'lathe bench export' (needs --inputs)")
    Path weights;

    @Option(names = "--inputs", paramLabel = "FILE", description = "inputs.safetensors written by 'lathe bench export'; without --weights the model is random")
    Path inputs;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seed of random weights, inputs and the LoRA init (default 0)")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV", description = "cpu (default), cuda, cuda:N or auto")
    String device;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "fp32, bf16 or fp16 (default: fp32 on the CPU, bf16 on a GPU)")
    String dtype;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "intra-op threads (default: LATHE_THREADS, else every core but one on the CPU)")
    int threads;

    @Option(names = "--blas-threads", paramLabel = "N",
        description = "OpenBLAS threads for fp32 matmuls (default: LATHE_BLAS_THREADS, else 1; see scripts/bench/README.md)")
    Integer blasThreads;

    @Option(names = "--steps", paramLabel = "N", description = "timed steps (default: tiny 20, small 10, medium 5, full 3)")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "N",
        description = "untimed steps first (default: tiny 5, else 2); more until the JVM's JIT compiler has gone quiet, up to 30 s")
    Integer warmup;

    @Option(names = "--exact-warmup", description = "exactly --warmup steps, even while the JIT is still compiling")
    boolean exactWarmup;

    @Option(names = "--json", description = "print one JSON object (the contract of scripts/bench/README.md) on stdout")
    boolean json;

    @Option(names = "--no-peak", description = "skip the fp32 GEMM peak measured after the timed steps")
    boolean noPeak;

    @Option(names = "--matmul-n", defaultValue = "2048", paramLabel = "N", description = "matrix side of the GEMM peak (default 2048)")
    int matmulN;

    BenchSource source() {
      checkFamily(family);
      BenchSize s = size == null ? null : size(size);
      if (s != null && inputs != null) throw new CliException(ExitCode.USAGE, "give --size or --inputs, not both");
      if (s == null && inputs == null) throw new CliException(ExitCode.USAGE, "give --size (random model and inputs) or --weights and --inputs (files from 'lathe bench export')");
      if (threads < 0) throw new CliException(ExitCode.USAGE, "--threads must be >= 0");
      if (blasThreads != null && blasThreads < 1) throw new CliException(ExitCode.USAGE, "--blas-threads must be >= 1");
      return new BenchSource(weights, inputs, s, seed, device, dtype, threads, blasThreads == null ? 0 : blasThreads);
    }

    /** The size the defaults go by: --size, else the name in the inputs file's metadata (read by the bench). */
    String sizeName() {
      return size != null ? size.toLowerCase(Locale.ROOT) : "";
    }

    int steps() {
      return steps != null ? steps : switch (sizeName()) {
        case "tiny" -> 20;
        case "medium" -> 5;
        case "full" -> 3;
        default -> 10;
      };
    }

    int warmup() {
      return warmup != null ? warmup : sizeName().equals("tiny") ? 5 : 2;
    }

    void print(Map<String, Object> r, PrintWriter out) throws JsonProcessingException {
      if (json) out.println(new ObjectMapper().writeValueAsString(r));
      else Human.print(r, out);
      out.flush();
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Write a bench size's weights.safetensors, inputs.safetensors and config.json (random, from --seed) into DIR:",
          "the files both 'lathe bench train' and scripts/bench/zimage_ref.py read."})
  static final class Export implements Callable<Integer> {
    @Option(names = "--family", defaultValue = "zimage", paramLabel = "ID", description = "model family (default zimage)")
    String family;

    @Option(names = "--size", required = true, paramLabel = "SIZE", description = "tiny, small, medium or full")
    String size;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write into (created if missing; files replaced atomically)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seed (default 0): weights from N, inputs from N + 1")
    long seed;

    @Option(names = "--rank", defaultValue = "16", paramLabel = "R", description = "LoRA rank recorded in the inputs (default 16)")
    int rank;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      checkFamily(family);
      if (rank < 1) throw new CliException(ExitCode.USAGE, "--rank must be >= 1");
      BenchSize s = size(size);
      long t0 = System.nanoTime();
      long params = BenchFiles.export(s, seed, rank, out);
      spec.commandLine().getErr().printf(Locale.ROOT, "lathe bench: %s: size %s, %,d params, batch %d, latent %s, caption %d tokens (%.1f s)%n",
          out, s.id(), params, s.batch, java.util.Arrays.toString(s.latent()), s.captionTokens, (System.nanoTime() - t0) / 1e9);
      spec.commandLine().getErr().flush();
      return ExitCode.OK;
    }
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = {"Time LoRA training steps (Lathe's trainer step): rank-R LoRA on every Linear of the main blocks, AdamW,",
          "flow-matching loss with the inputs' fixed noise and sigma. Reports median/min/max step time, the",
          "forward/backward/optimizer split, peak memory, image tokens/s and achieved FLOP/s against the GEMM peak."})
  static final class Train implements Callable<Integer> {
    @Mixin
    Common c;

    @Option(names = "--checkpointing", defaultValue = "off", paramLabel = "on|off", description = "gradient checkpointing of the main blocks (default off)")
    String checkpointing;

    @Option(names = "--rank", defaultValue = "0", paramLabel = "R", description = "LoRA rank (default: the inputs' metadata, else 16)")
    int rank;

    @Option(names = "--alternate", paramLabel = "SWITCH",
        description = "flip a switch step by step in this one process (on, off, on, ...) and report each half's median: split, split-heads or join-weights")
    String alternate;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!checkpointing.equals("on") && !checkpointing.equals("off")) throw new CliException(ExitCode.USAGE, "--checkpointing takes on or off");
      dev.lathe.bench.Alternate alt;
      try {
        alt = alternate == null ? null : dev.lathe.bench.Alternate.of(alternate);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      var o = new TrainBench.Options(c.source(), rank, checkpointing.equals("on"), c.steps(), c.warmup(), !c.exactWarmup, !c.noPeak, c.matmulN, alt);
      Map<String, Object> r = TrainBench.run(o, progress(err));
      c.print(r, spec.commandLine().getOut());
      return ExitCode.OK;
    }
  }

  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = {"Time flow-matching Euler sampling steps (one forward pass without gradients and the update per step).",
          "By default a LoRA adapter is attached, as while training previews; --rank -1 samples the plain model."})
  static final class Sample implements Callable<Integer> {
    @Mixin
    Common c;

    @Option(names = "--rank", defaultValue = "0", paramLabel = "R", description = "rank of the attached LoRA (default: the inputs' metadata, else 16; -1: none)")
    int rank;

    @Option(names = "--shift", defaultValue = "3.0", paramLabel = "S", description = "schedule shift (default 3.0)")
    double shift;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      var o = new SampleBench.Options(c.source(), rank, c.steps(), c.warmup(), !c.exactWarmup, shift, !c.noPeak, c.matmulN);
      Map<String, Object> r = SampleBench.run(o, progress(err));
      c.print(r, spec.commandLine().getOut());
      return ExitCode.OK;
    }
  }

  @Command(name = "console", mixinStandardHelpOptions = true,
      description = {"Measure what watching a run costs: the console's Monitor screen at its refresh rate on a virtual terminal,",
          "following a stand-in run (a job folder written at --pace steps/s, a sample picture every 50 steps).",
          "Reports CPU seconds per wall second of the console's threads and of the process, bytes/s to the terminal, frames/s."})
  static final class ConsoleCost implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S", description = "measured seconds per case (default 10)")
    double seconds;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "S", description = "seconds before measuring: JIT, first paint, first sample (default 3)")
    double warmup;

    @Option(names = "--pace", defaultValue = "10", paramLabel = "N", description = "steps per second of the stand-in run (default 10)")
    double pace;

    @Option(names = "--graphics", defaultValue = "blocks,sixel", split = ",", paramLabel = "G",
        description = "preview protocols to measure: blocks, sixel, kitty, iterm2, ascii or none (default blocks,sixel)")
    List<String> graphics;

    @Option(names = "--size", defaultValue = "80x24,120x40,200x60", split = ",", paramLabel = "COLSxROWS",
        description = "terminal sizes (default 80x24,120x40,200x60)")
    List<String> sizes;

    @Option(names = "--feed", defaultValue = "job", paramLabel = "job|synthetic",
        description = "job: follow a job folder as the console does in real use (default); synthetic: in-memory snapshots, drawing alone")
    String feed;

    @Option(names = "--json", description = "one JSON object per case on stdout")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!(seconds > 0) || !(warmup >= 0) || !(pace > 0)) throw new CliException(ExitCode.USAGE, "--seconds and --pace must be > 0, --warmup >= 0");
      dev.lathe.tui.ConsoleLoad.Feed f = switch (feed) {
        case "job" -> dev.lathe.tui.ConsoleLoad.Feed.JOB;
        case "synthetic" -> dev.lathe.tui.ConsoleLoad.Feed.SYNTHETIC;
        default -> throw new CliException(ExitCode.USAGE, "--feed takes job or synthetic, not '" + feed + "'");
      };
      List<dev.lathe.tui.ConsoleLoad.Case> cases = new java.util.ArrayList<>();
      for (String sz : sizes) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)x(\\d+)").matcher(sz.trim());
        if (!m.matches()) throw new CliException(ExitCode.USAGE, "--size '" + sz + "': write COLSxROWS, e.g. 120x40");
        int cols = Integer.parseInt(m.group(1)), rows = Integer.parseInt(m.group(2));
        if (cols < 20 || rows < 10 || cols > 1000 || rows > 500) throw new CliException(ExitCode.USAGE, "--size '" + sz + "': 20x10 to 1000x500");
        for (String g : graphics) cases.add(new dev.lathe.tui.ConsoleLoad.Case(protocol(g), cols, rows, f));
      }
      PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
      Path dir = java.nio.file.Files.createTempDirectory("lathe-bench-console");
      try {
        if (!json) {
          out.printf(Locale.ROOT, "console cost on %s; %.0f s per case after %.0f s warm-up, a run at %.0f steps/s%n", Machine.describe(), seconds, warmup, pace);
          out.println("case                         console_cpu  gui     images  watcher  stand-in  process  KB/s    frames/s");
          out.flush();
        }
        for (var c : cases) {
          progress(err).accept("console " + c.label() + " ...");
          var r = dev.lathe.tui.ConsoleLoad.measure(dir, c, seconds, warmup, pace);
          if (json) out.println(new ObjectMapper().writeValueAsString(r.toMap()));
          else out.printf(Locale.ROOT, "%-28s %6.1f%%     %5.1f%%  %5.1f%%  %5.1f%%    %5.1f%%    %5.1f%%   %6.1f  %5.1f%n", c.label(),
              100 * r.consoleCpu(), 100 * r.guiCpu(), 100 * r.imageCpu(), 100 * r.watchCpu(), 100 * r.feedCpu(), 100 * r.processCpu(),
              r.bytesPerSecond() / 1000, r.framesPerSecond());
          out.flush();
        }
        if (!json) out.println("(percent of one core; console = gui + images + watcher; process = everything: console, stand-in run, JIT, GC)");
      } finally {
        dev.lathe.io.AtomicFiles.deleteTree(dir);
      }
      out.flush();
      return ExitCode.OK;
    }

    static dev.lathe.term.GraphicsProtocol protocol(String g) {
      try {
        return dev.lathe.term.GraphicsProtocol.parse(g);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "--graphics: " + e.getMessage());
      }
    }
  }

  @Command(name = "calls", mixinStandardHelpOptions = true,
      description = {"Measure the fixed cost of one libtorch call from Java (JNI plus a new JavaCPP handle):",
          "loops of an 8x8 add and of a view plus reshape, 100 calls per PointerScope. Reports microseconds per call",
          "and the JavaCPP maxPhysicalBytes in effect (0: no per-handle memory check, Lathe's setting)."})
  static final class Calls implements Callable<Integer> {
    @Option(names = "--calls", defaultValue = "200000", paramLabel = "N", description = "calls per round and kind (default 200000)")
    int calls;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N", description = "timed rounds (default 5, after 2 untimed)")
    int rounds;

    @Option(names = "--json", description = "one JSON object on stdout")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (calls < 100 || rounds < 1) throw new CliException(ExitCode.USAGE, "--calls must be >= 100 and --rounds >= 1");
      var r = dev.lathe.bench.CallCost.measure(calls, rounds);
      return report(spec, json, r.toMap(), out -> {
        out.printf(Locale.ROOT, "libtorch call cost from Java on %s, %d threads, JavaCPP maxPhysicalBytes=%d%n", Machine.describe(), r.threads(), r.maxPhysicalBytes());
        out.printf(Locale.ROOT, "add 8x8:        median %.2f us/call (best %.2f) over %d rounds of %d%n", r.addUs().median(), r.addUs().min(), r.rounds(), r.calls());
        out.printf(Locale.ROOT, "view + reshape: median %.2f us/pair (best %.2f)%n", r.viewReshapeUs().median(), r.viewReshapeUs().min());
      });
    }
  }

  @Command(name = "threads", mixinStandardHelpOptions = true,
      description = {"Measure how one block's ops scale from one intra-op thread to several at a size's activation shapes:",
          "add and mul on [tokens, dim], silu on [tokens, ffn], and the Linears as the trainer runs them. The thread",
          "counts alternate round by round. Also reports what one set_num_threads call costs."})
  static final class Threads implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "small", paramLabel = "SIZE", description = "tiny, small, medium or full (default small)")
    String size;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "the thread count to compare with one (default: every core)")
    int threads;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N", description = "timed rounds per thread count (default 5, after 1 untimed)")
    int rounds;

    @Option(names = "--calls", defaultValue = "0", paramLabel = "N",
        description = "calls per op and round (default by size: tiny 500, small 200, medium 50, full 2)")
    int calls;

    @Option(names = "--json", description = "one JSON object on stdout")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      BenchSize s = size(size);
      int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
      if (n < 2) throw new CliException(ExitCode.USAGE, "--threads must be >= 2 (this machine has " + Runtime.getRuntime().availableProcessors()
          + " core(s); there is nothing to compare one thread with)");
      if (rounds < 1) throw new CliException(ExitCode.USAGE, "--rounds must be >= 1");
      if (calls < 0) throw new CliException(ExitCode.USAGE, "--calls must be >= 1 (or 0 for the size's default)");
      int c = calls > 0 ? calls : switch (s) {   // fewer where the Linears take longer
        case TINY -> 500;
        case SMALL -> 200;
        case MEDIUM -> 50;
        case FULL -> 2;
      };
      var r = dev.lathe.bench.ThreadScaling.measure(s, n, rounds, c);
      return report(spec, json, r.toMap(), out -> {
        out.printf(Locale.ROOT, "one block's ops at size %s (%d tokens, dim %d, ffn %d) on %s; OpenBLAS %d thread(s); medians of %d rounds of %d calls%n",
            r.size(), r.tokens(), r.dim(), r.ffn(), Machine.describe(), r.blasThreads(), r.rounds(), r.calls());
        out.printf(Locale.ROOT, "%-8s %-24s %12s %12s %8s%n", "op", "shape", "1 thread us", r.threads() + " threads us", "ratio");
        for (var o : r.ops()) {
          out.printf(Locale.ROOT, "%-8s %-24s %12.1f %12.1f %8.2f%n", o.name(), o.shape(), o.oneUs().median(), o.manyUs().median(), o.ratio());
        }
        out.printf(Locale.ROOT, "set_num_threads: %.1f us a call%n", r.switchUs());
      });
    }
  }

  /** The result for a person, in the reference's wording. */
  static final class Human {
    static void print(Map<String, Object> r, PrintWriter o) {
      @SuppressWarnings("unchecked")
      Map<String, Object> s = (Map<String, Object>) r.get("step_ms");
      boolean train = !"sample".equals(r.get("mode"));
      o.printf(Locale.ROOT, "Lathe on libtorch %s, %s threads, BLAS %s (%s threads), %s, %s %s%n", r.get("torch"), r.get("threads"),
          r.get("blas"), r.get("blas_threads"), r.get("malloc"), r.get("device"), r.get("dtype"));
      o.printf(Locale.ROOT, "size %s: batch %s, latent %s, captions %s, %,d params%s%n", r.get("size"), r.get("batch"),
          java.util.Arrays.toString((long[]) r.get("latent")), r.get("caption_tokens"), (Long) r.get("params"),
          train ? String.format(Locale.ROOT, ", LoRA rank %s (%,d trainable), checkpointing %s", r.get("rank"), (Long) r.get("trainable_params"), r.get("checkpointing"))
              : ((Integer) r.get("rank") > 0 ? ", LoRA rank " + r.get("rank") + " attached" : ", no adapter"));
      if (train) o.printf(Locale.ROOT, "loss at step 1: %.6f   (last: %.6f)%n", (Double) r.get("loss_step1"), (Double) r.get("loss_last"));
      o.printf(Locale.ROOT, "%s: median %.1f ms, min %.1f, max %.1f over %s steps (after %s warm-up%s)%n", train ? "step" : "sampling step",
          (Double) s.get("median"), (Double) s.get("min"), (Double) s.get("max"), r.get("steps"), r.get("warmup"),
          Boolean.TRUE.equals(r.get("warmup_jit_quiet")) ? ", JIT quiet" : "");
      if (train) o.printf(Locale.ROOT, "  forward %.1f ms, backward %.1f ms, optimizer %.1f ms (medians)%n", (Double) r.get("forward_ms"),
          (Double) r.get("backward_ms"), (Double) r.get("optimizer_ms"));
      if (r.get("alternate") instanceof Map<?, ?> alt) {
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) alt;
        o.println(dev.lathe.bench.Alternate.describe(a));
      }
      o.printf(Locale.ROOT, "peak RSS %.0f MiB (after load %.0f MiB)%s; %.0f image tokens/s%n", (Long) r.get("peak_rss_bytes") / 1048576.0,
          (Long) r.get("rss_after_load_bytes") / 1048576.0,
          r.containsKey("peak_vram_bytes") ? String.format(Locale.ROOT, ", peak VRAM %.0f MiB", (Long) r.get("peak_vram_bytes") / 1048576.0) : "",
          (Double) r.get("tokens_per_s"));
      String line = String.format(Locale.ROOT, "%.2f GFLOP/step -> %.1f GFLOP/s", ((Long) r.get("flops_per_step")) / 1e9, (Double) r.get("achieved_gflops"));
      if (r.containsKey("matmul_peak_gflops"))
        line += String.format(Locale.ROOT, " = %.0f%% of the measured GEMM peak %.1f", 100 * (Double) r.get("peak_fraction"), (Double) r.get("matmul_peak_gflops"));
      o.println(line);
    }
  }
}
