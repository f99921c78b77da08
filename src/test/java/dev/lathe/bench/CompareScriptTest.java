package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/bench/compare.py, the half of run.sh that checks the losses and prints the table, on hand-made results. */
class CompareScriptTest {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path SCRIPT = Path.of("scripts/bench/compare.py");

  record Run(int code, String out) {}

  static Run compare(String... args) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3 here");
    List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  static String result(String impl, double stepMs, double loss) {
    return String.format(Locale.ROOT, "{\"impl\": \"%s\", \"size\": \"small\", \"checkpointing\": \"off\", \"loss_step1\": %.7f, "
        + "\"step_ms\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}, \"peak_rss_bytes\": 1048576, \"tokens_per_s\": 1000}",
        impl, loss, stepMs, stepMs, stepMs);
  }

  @Test
  void table_takesEachSidesMedianRun_andShowsTheRangeOfTheSideBySideRatios(@TempDir Path dir) throws Exception {
    // run.sh writes the sides alternately: java 180, py 200, java 200, py 160, java 190, py 190
    Path results = dir.resolve("results.jsonl");
    Files.writeString(results, String.join("\n", result("lathe", 180, 3.1), result("pytorch", 200, 3.1), result("lathe", 200, 3.1),
        result("pytorch", 160, 3.1), result("lathe", 190, 3.1), result("pytorch", 190, 3.1)) + "\n");
    Run r = compare("table", results.toString());
    assertThat(r.code()).as(r.out()).isZero();
    String row = r.out().lines().filter(l -> l.startsWith("small")).findFirst().orElseThrow();
    // medians: Java 190, PyTorch 190 → 1.00; pairs 180/200 = 0.90, 200/160 = 1.25, 190/190 = 1.00
    assertThat(row.trim().split("\\s+")).startsWith("small", "off", "190.0", "190.0", "1.00", "0.90-1.25");
  }

  @Test
  void table_namesEachSidesMalloc_asItsResultsReportIt(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("results.jsonl");
    String tc = result("lathe", 180, 3.1).replace("{\"impl\"", "{\"malloc\": \"tcmalloc (libtcmalloc_minimal.so.4)\", \"impl\"");
    Files.writeString(results, String.join("\n", tc, result("pytorch", 200, 3.1)) + "\n");
    Run r = compare("table", results.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out().lines()).contains("Java malloc: tcmalloc (libtcmalloc_minimal.so.4)", "PyTorch malloc: not reported");
  }

  @Test
  void loss_refusesToCompareSidesThatComputeDifferentModels(@TempDir Path dir) throws Exception {
    Path java = dir.resolve("j.json"), py = dir.resolve("p.json"), off = dir.resolve("o.json");
    Files.writeString(java, result("lathe", 100, 3.1333237));
    Files.writeString(py, result("pytorch", 100, 3.1333233));
    Files.writeString(off, result("pytorch", 100, 3.2));
    Run same = compare("loss", java.toString(), py.toString());
    assertThat(same.code()).as(same.out()).isZero();
    assertThat(same.out()).contains("loss at step 1 agrees");
    Run differ = compare("loss", java.toString(), off.toString());
    assertThat(differ.code()).isEqualTo(1);
    assertThat(differ.out()).contains("LOSS MISMATCH").contains("Not timing anything");
  }
}
