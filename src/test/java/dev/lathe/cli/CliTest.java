package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void version() {
    Result r = run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("lathe ");
  }

  @Test
  void doctor_onThisMachine_reportsLibtorchAndGpuState() {
    Result r = run("doctor");
    assertThat(r.out()).contains("libtorch   2.10.0").contains("self-test  ok").contains("gpu        ");
    // surefire sets OMP_WAIT_POLICY=PASSIVE and this CPU build has no GPU: healthy
    assertThat(r.out()).contains("none: this build carries the CPU natives");
    assertThat(r.code()).as(r.out()).isZero();
  }

  @Test
  void inspect_zimageWeights_totals() {
    Result r = run("inspect", "--totals", Fixtures.path("zimage/weights.safetensors").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("706,144 parameters").contains("F32");
  }

  @Test
  void inspect_shardedFolder_listsTensors() {
    Result r = run("inspect", "--grep", "q_proj", Fixtures.path("qwen3-te").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("model.layers.2.self_attn.q_proj.weight").contains("BF16").contains("[64, 32]")
        .contains("3 tensors").contains("2 shards");
  }

  @Test
  void inspect_brokenFile_oneLineError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path bad = dir.resolve("x.safetensors");
    java.nio.file.Files.write(bad, new byte[] {1, 2, 3});
    Result r = run("inspect", bad.toString());
    assertThat(r.code()).isEqualTo(ExitCode.DATA);
    assertThat(r.err().strip()).isEqualTo("lathe: " + bad + ": truncated: 3 bytes, shorter than the 8-byte header length");
  }

  @Test
  void unknownOption_usageExit() {
    assertThat(run("inspect", "--bogus").code()).isEqualTo(ExitCode.USAGE);
  }
}
