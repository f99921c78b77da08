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
  void doctor_withoutPassiveOmp_reportsTheProblem_andExits1() throws Exception {
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "doctor")
        .redirectErrorStream(true);
    pb.environment().remove("OMP_WAIT_POLICY");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(ExitCode.PROBLEMS);
    assertThat(out).contains("OMP_WAIT_POLICY=(unset)")
        .contains("problem    OMP_WAIT_POLICY is not PASSIVE").doesNotContain("status     ok");
  }

  @Test
  void inspect_readsHeadersOnly_bytesByDtype(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // a 10 GiB BF16 tensor and a small F32 one in a sparse file: totals come from the header alone
    long big = 65536L * 81920 * 2;
    String json = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[65536,81920],\"data_offsets\":[0," + big + "]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + big + "," + (big + 12) + "]}}";
    byte[] header = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.file.Path f = dir.resolve("big.safetensors");
    try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      byte[] len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).array();
      raf.write(len);
      raf.write(header);
      raf.setLength(8 + header.length + big + 12);
    }
    Result r = run("inspect", "--totals", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("2 tensors, 5,368,709,123 parameters, 10.0 GiB in 1 file");
    assertThat(r.out()).containsPattern("BF16\\s+1 tensors\\s+5,368,709,120 params\\s+10.0 GiB");
    assertThat(r.out()).containsPattern("F32\\s+1 tensors\\s+3 params\\s+12 B");
  }

  @Test
  void unknownOption_usageExit() {
    assertThat(run("inspect", "--bogus").code()).isEqualTo(ExitCode.USAGE);
  }
}
