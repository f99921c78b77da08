package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.bench.BenchFiles;
import dev.lathe.models.Denoiser;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelSource;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.torch.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lathe bench`: export writes the shared files, train prints the JSON contract with the loss the files imply. */
class BenchCommandTest {
  static final List<String> CONTRACT = List.of("impl", "size", "checkpointing", "loss_step1", "step_ms", "peak_rss_bytes", "tokens_per_s",
      "forward_ms", "backward_ms", "optimizer_ms", "flops_per_step", "achieved_gflops", "threads", "blas", "malloc", "blas_threads", "torch", "device",
      "dtype", "batch", "latent", "caption_tokens", "image_tokens", "seq_len", "params", "trainable_params", "rank", "warmup", "steps",
      "loss_last", "rss_after_load_bytes", "flops_forward", "flops_method");

  /**
   * scripts/bench/zimage_ref.py (PyTorch 1.13 eager) on the files of `lathe bench export --size tiny --seed 0`, measured
   * 2026-11-26: loss at step 1 = 3.049747. The Java export is seeded, so the same files come out on every run.
   */
  static final double PYTORCH_TINY_LOSS = 3.049747;

  static JsonNode lastJson(String out) throws Exception {
    String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no JSON in: " + out));
    return new ObjectMapper().readTree(line);
  }

  @Test
  void exportThenTrain_jsonContract_lossMatchesDirectComputationAndThePytorchReference(@TempDir Path dir) throws Exception {
    CliTest.Result ex = CliTest.run("bench", "export", "--size", "tiny", "--out", dir.toString());
    assertThat(ex.code()).as(ex.err()).isZero();
    for (String f : List.of("weights.safetensors", "inputs.safetensors", "config.json")) assertThat(dir.resolve(f)).isRegularFile();

    Path w = dir.resolve("weights.safetensors"), in = dir.resolve("inputs.safetensors");
    CliTest.Result r = CliTest.run("bench", "train", "--weights", w.toString(), "--inputs", in.toString(), "--steps", "2", "--warmup", "0",
        "--threads", "2", "--json", "--no-peak");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = lastJson(r.out());
    for (String k : CONTRACT) assertThat(j.has(k)).as("field " + k).isTrue();
    assertThat(j.get("impl").asText()).isEqualTo("lathe");
    assertThat(j.get("threads").asInt()).isEqualTo(2);
    if (System.getenv(dev.lathe.torch.Blas.ENV) == null) {
      assertThat(j.get("blas_threads").asInt()).as("OpenBLAS keeps one thread (see Blas)").isEqualTo(1);
    }
    assertThat(j.get("size").asText()).isEqualTo("tiny");
    assertThat(j.get("checkpointing").asText()).isEqualTo("off");
    assertThat(j.get("params").asLong()).isEqualTo(706_144);
    assertThat(j.get("trainable_params").asLong()).isEqualTo(49_088);   // the reference's count for rank 16
    assertThat(j.get("image_tokens").asLong()).isEqualTo(2 * 8 * 12);
    assertThat(j.get("seq_len").asLong()).isEqualTo(96 + 32);
    assertThat(j.get("flops_per_step").asLong()).isEqualTo(278_822_912L);   // zimage_ref.py's count, = torch.profiler's
    JsonNode ms = j.get("step_ms");
    assertThat(ms.get("min").asDouble()).isPositive().isLessThanOrEqualTo(ms.get("median").asDouble());
    assertThat(ms.get("median").asDouble()).isLessThanOrEqualTo(ms.get("max").asDouble());
    assertThat(j.get("peak_rss_bytes").asLong()).isGreaterThan(j.get("rss_after_load_bytes").asLong() / 2);

    double loss = j.get("loss_step1").asDouble();
    assertThat(loss).isCloseTo(direct(w, in), within(1e-5 * loss));
    assertThat(loss).isCloseTo(PYTORCH_TINY_LOSS, within(1e-5 * PYTORCH_TINY_LOSS));
    assertThat(j.get("loss_last").asDouble()).isNotEqualTo(loss);   // one AdamW step changed the LoRA

    // the same with checkpointing: the same loss
    CliTest.Result rc = CliTest.run("bench", "train", "--weights", w.toString(), "--inputs", in.toString(), "--steps", "1", "--warmup", "0",
        "--checkpointing", "on", "--json", "--no-peak");
    assertThat(rc.code()).as(rc.err()).isZero();
    JsonNode jc = lastJson(rc.out());
    assertThat(jc.get("loss_step1").asDouble()).isCloseTo(loss, within(1e-6 * loss));
    assertThat(jc.get("flops_per_step").asLong()).isGreaterThan(j.get("flops_per_step").asLong());
  }

  /** mean((velocity(x_t, σ) − (ε − x0))²) straight from the model, without the trainer or an adapter. */
  static double direct(Path weights, Path inputs) throws Exception {
    Runtime rt = Runtime.cpu();
    BenchFiles.Inputs in = BenchFiles.readInputs(inputs);
    try (ModelFamily.LoadedModel m = new ZImage().load(ModelSource.of(weights.toString()), rt);
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Denoiser d = m.denoiser();
      Tensor x0 = in.x0().squeeze(2), eps = in.noise().squeeze(2), sig = in.sigma().view(-1, 1, 1, 1);
      Tensor xt = x0.mul(sig.neg().add(new Scalar(1.0))).add(eps.mul(sig));
      Tensor v = d.velocity(xt, in.sigma(), in.captions());
      return v.sub(eps.sub(x0)).square().mean().item_double();
    } finally {
      in.release();
    }
  }

  @Test
  void sample_randomTiny_timesSteps() throws Exception {
    CliTest.Result r = CliTest.run("bench", "sample", "--size", "tiny", "--steps", "2", "--warmup", "1", "--json", "--no-peak");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = lastJson(r.out());
    assertThat(j.get("mode").asText()).isEqualTo("sample");
    assertThat(j.get("rank").asInt()).isEqualTo(16);
    assertThat(j.get("steps").asInt()).isEqualTo(2);
    assertThat(j.get("step_ms").get("median").asDouble()).isPositive();
    assertThat(j.get("tokens_per_s").asDouble()).isPositive();
  }

  @Test
  void train_alternate_flipsTheSwitchEveryOtherStep_andPutsItBack() throws Exception {
    Runtime.load();
    int threads = org.bytedeco.pytorch.global.torch.get_num_threads();
    boolean split = dev.lathe.nn.TokenSplit.setEnabled(true);
    long minElements = dev.lathe.nn.TokenSplit.setMinElements(1);   // tiny's blocks stay whole at the production threshold
    try {
      String[] args = {"bench", "train", "--size", "tiny", "--threads", "2", "--steps", "4", "--warmup", "0", "--exact-warmup", "--json", "--no-peak"};
      long before = dev.lathe.nn.TokenSplit.splitsSoFar();
      CliTest.Result always = CliTest.run(args);
      assertThat(always.code()).as(always.err()).isZero();
      long everyStep = dev.lathe.nn.TokenSplit.splitsSoFar() - before;
      assertThat(lastJson(always.out()).has("alternate")).isFalse();

      before = dev.lathe.nn.TokenSplit.splitsSoFar();
      CliTest.Result alt = CliTest.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--alternate", "split"))
          .toArray(String[]::new));
      assertThat(alt.code()).as(alt.err()).isZero();
      long everyOther = dev.lathe.nn.TokenSplit.splitsSoFar() - before;
      assertThat(everyStep).as("4 steps split").isPositive();
      assertThat(everyOther * 2).as("2 of the 4 steps split").isEqualTo(everyStep);
      assertThat(dev.lathe.nn.TokenSplit.setEnabled(true)).as("the switch is put back on").isTrue();

      JsonNode a = lastJson(alt.out()).get("alternate");
      assertThat(a.get("switch").asText()).isEqualTo("split");
      assertThat(a.get("steps_on").asInt()).isEqualTo(2);
      assertThat(a.get("steps_off").asInt()).isEqualTo(2);
      assertThat(a.get("ratio").asDouble()).isCloseTo(a.get("on_ms").asDouble() / a.get("off_ms").asDouble(), within(1e-9));

      CliTest.Result unknown = CliTest.run("bench", "train", "--size", "tiny", "--alternate", "turbo");
      assertThat(unknown.code()).isEqualTo(ExitCode.USAGE);
      assertThat(unknown.err()).contains("unknown switch 'turbo' for --alternate; known: split, split-heads, join-weights");
    } finally {
      dev.lathe.nn.TokenSplit.setEnabled(split);
      dev.lathe.nn.TokenSplit.setMinElements(minElements);
      org.bytedeco.pytorch.global.torch.set_num_threads(threads);
    }
  }

  @Test
  void help_listsBench_andBadInputsAreOneLine(@TempDir Path dir) throws Exception {
    assertThat(CliTest.run("--help").out()).containsPattern("(?m)^\\s+bench\\s");
    CliTest.Result none = CliTest.run("bench", "train");
    assertThat(none.code()).isEqualTo(ExitCode.USAGE);
    assertThat(none.err()).contains("give --size");
    CliTest.Result size = CliTest.run("bench", "train", "--size", "huge");
    assertThat(size.code()).isEqualTo(ExitCode.USAGE);
    assertThat(size.err()).contains("unknown size 'huge'; known: tiny, small, medium, full");
    Path junk = dir.resolve("inputs.safetensors");
    Files.writeString(junk, "not a safetensors file");
    CliTest.Result bad = CliTest.run("bench", "train", "--inputs", junk.toString());
    assertThat(bad.code()).isEqualTo(ExitCode.DATA);
    assertThat(bad.err()).startsWith("lathe: " + junk).doesNotContain("\n\tat ");
    assertThat(bad.err().strip().lines().count()).isEqualTo(1);
  }

  @Test
  void console_onePerCaseJson_andBadSizesAreOneLine() throws Exception {
    CliTest.Result r = CliTest.run("bench", "console", "--seconds", "1", "--warmup", "1", "--size", "80x24", "--graphics", "blocks,sixel", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> rows = new java.util.ArrayList<>();
    for (String l : r.out().lines().filter(l -> l.startsWith("{")).toList()) rows.add(new ObjectMapper().readTree(l));
    assertThat(rows).extracting(j -> j.get("graphics").asText()).containsExactly("blocks", "sixel");
    for (JsonNode j : rows) {
      assertThat(j.get("feed").asText()).isEqualTo("job");
      assertThat(j.get("cols").asInt()).isEqualTo(80);
      assertThat(j.get("steps").asLong()).as("the console followed the stand-in job").isPositive();
      assertThat(j.get("bytes_per_s").asDouble()).isPositive();
      assertThat(j.get("console_cpu").asDouble()).isGreaterThanOrEqualTo(j.get("gui_cpu").asDouble());
    }
    CliTest.Result bad = CliTest.run("bench", "console", "--size", "wide");
    assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("--size 'wide': write COLSxROWS");
    CliTest.Result g = CliTest.run("bench", "console", "--graphics", "png");
    assertThat(g.code()).isEqualTo(ExitCode.USAGE);
    assertThat(g.err()).contains("--graphics: graphics 'png' is not one of");
  }

  @Test
  void calls_reportsPerCallCost_andTheJavaCppCheckInEffect() throws Exception {
    CliTest.Result r = CliTest.run("bench", "calls", "--calls", "1000", "--rounds", "3", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = lastJson(r.out());
    assertThat(j.get("mode").asText()).isEqualTo("calls");
    assertThat(j.get("calls").asInt()).isEqualTo(1000);
    assertThat(j.get("rounds").asInt()).isEqualTo(3);
    JsonNode add = j.get("add_us");
    assertThat(add.get("min").asDouble()).isPositive().isLessThanOrEqualTo(add.get("median").asDouble());
    assertThat(add.get("median").asDouble()).isLessThanOrEqualTo(add.get("max").asDouble());
    assertThat(j.get("view_reshape_us").get("median").asDouble()).isPositive();
    assertThat(j.get("javacpp_max_physical_bytes").asLong()).as("the test JVM runs as the launcher does").isZero();
    CliTest.Result bad = CliTest.run("bench", "calls", "--calls", "10");
    assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("--calls must be >= 100");
  }

  @Test
  void threads_timesEachOpOnOneThreadAndOnMany_andPutsTheThreadCountBack() throws Exception {
    Runtime.load();
    int before = org.bytedeco.pytorch.global.torch.get_num_threads();
    CliTest.Result r = CliTest.run("bench", "threads", "--size", "tiny", "--threads", "2", "--rounds", "2", "--calls", "3", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(org.bytedeco.pytorch.global.torch.get_num_threads()).as("the process keeps its thread count").isEqualTo(before);
    JsonNode j = lastJson(r.out());
    assertThat(j.get("mode").asText()).isEqualTo("threads");
    assertThat(j.get("tokens").asLong()).isEqualTo(256);
    assertThat(j.get("dim").asLong()).isEqualTo(64);
    assertThat(j.get("ffn").asLong()).as("int(64 / 3 * 8)").isEqualTo(170);
    assertThat(j.get("threads").asInt()).isEqualTo(2);
    JsonNode ops = j.get("ops");
    assertThat(ops).hasSize(5);
    assertThat(ops.get(0).get("shape").asText()).isEqualTo("256x64");
    assertThat(ops.get(4).get("shape").asText()).isEqualTo("256x64 by 170x64");
    for (JsonNode o : ops) {
      double one = o.get("one_thread_us").asDouble(), many = o.get("threads_us").asDouble();
      assertThat(one).isPositive();
      assertThat(many).isPositive();
      assertThat(o.get("ratio").asDouble()).isCloseTo(many / one, within(1e-9));
    }
    assertThat(j.get("set_num_threads_us").asDouble()).isPositive();
    assertThat(j.get("calls").asInt()).isEqualTo(3);
    CliTest.Result byDefault = CliTest.run("bench", "threads", "--size", "tiny", "--threads", "2", "--rounds", "1", "--json");
    assertThat(byDefault.code()).as(byDefault.err()).isZero();
    assertThat(lastJson(byDefault.out()).get("calls").asInt()).as("tiny's default").isEqualTo(500);
    CliTest.Result one = CliTest.run("bench", "threads", "--threads", "1");
    assertThat(one.code()).isEqualTo(ExitCode.USAGE);
    assertThat(one.err()).contains("--threads must be >= 2");
    CliTest.Result bad = CliTest.run("bench", "threads", "--size", "huge");
    assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("--size: unknown size 'huge'");
  }
}
