package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.train.StepReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The headless progress line against hand-computed text, with a fake clock deciding when it prints. */
class ProgressPrinterTest {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  long nanos;

  ProgressPrinter printer(boolean tty, long total) {
    return new ProgressPrinter(out, tty, total, 10, () -> nanos);
  }

  void step(ProgressPrinter p, double atSeconds, long step, double loss, double seconds) {
    nanos = (long) (atSeconds * 1e9);
    p.step(new StepReport(step, loss, Double.NaN, 0.002, 0.5, seconds, null));
  }

  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void terminal_redrawsOneBarInPlace_atMostTenTimesASecond() {
    ProgressPrinter p = printer(true, 100);
    p.phase("training");                      // the bar itself says so
    step(p, 5.00, 1, 1.0, 0.5);               // drawn: 2 it/s, 99 steps left at 0.5 s → ETA 49 s
    step(p, 5.05, 2, 2.0, 0.5);               // 50 ms later: not drawn; the loss average becomes 0.9·1 + 0.1·2 = 1.1
    step(p, 6.00, 50, 1.1, 0.5);              // drawn: half the bar, ETA 25 s
    p.checkpoint(50, Path.of("a.safetensors")); // ends the open bar line first
    step(p, 6.01, 100, 1.1, 0.5);             // the last step is always drawn, then the line is closed
    String bar0 = " ".repeat(24), bar50 = "=".repeat(11) + ">" + " ".repeat(12), bar100 = "=".repeat(23) + ">";
    assertThat(text()).isEqualTo(
        "\rstep 1/100 [" + bar0 + "]   1%  loss 1.0000  2.00 it/s  ETA 49s  "
            + "\rstep 50/100 [" + bar50 + "]  50%  loss 1.1000  2.00 it/s  ETA 25s  "
            + "\ncheckpoint step 50: a.safetensors\n"
            + "\rstep 100/100 [" + bar100 + "] 100%  loss 1.1000  2.00 it/s  ETA 0s  \n");
  }

  @Test
  void piped_printsPlainLines_everyTenSeconds_andTheLast() {
    ProgressPrinter p = printer(false, 100);
    p.phase("caching");
    step(p, 100, 1, 1.0, 0.5);    // first line
    step(p, 105, 2, 2.0, 0.5);    // 5 s later: quiet
    step(p, 110, 3, 1.1, 2.0);    // 10 s after the last line: printed; step time 0.9·0.5 + 0.1·2 = 0.65 s → 1.54 it/s, ETA 97·0.65 = 63 s
    step(p, 111, 100, 1.1, 0.5);  // the last step: 0.9·0.65 + 0.1·0.5 = 0.635 s → 1.57 it/s
    assertThat(text()).doesNotContain("\r").isEqualTo("""
        caching ...
        step 1/100  loss 1.0000  lr 0.00200  grad 0.500  2.00 it/s  ETA 49s
        step 3/100  loss 1.1000  lr 0.00200  grad 0.500  1.54 it/s  ETA 1m03s
        step 100/100  loss 1.1000  lr 0.00200  grad 0.500  1.57 it/s  ETA 0s
        """);
  }

  @Test
  void slowSteps_showSecondsPerStep_andHoursInTheEta() {
    ProgressPrinter p = printer(false, 3600);
    step(p, 100, 1, 0.25, 2.0);   // 3599 steps at 2 s = 7198 s = 1 h 59 min
    assertThat(text()).isEqualTo("step 1/3600  loss 0.2500  lr 0.00200  grad 0.500  2.00 s/it  ETA 1h59m\n");
  }
}
