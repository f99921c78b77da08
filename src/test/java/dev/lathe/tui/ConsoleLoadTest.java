package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.term.GraphicsProtocol;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness behind {@code lathe bench console}, on short runs: the console follows the stand-in run, draws, and sleeps
 * between frames. Figures are `lathe bench console`'s job; nothing here asserts on time beyond "it does not spin".
 */
class ConsoleLoadTest {
  @Test
  void followsAJobFolder_drawsIt_andSleepsBetweenFrames(@TempDir Path dir) throws Exception {
    for (ConsoleLoad.Case c : new ConsoleLoad.Case[] {new ConsoleLoad.Case(GraphicsProtocol.HALFBLOCK, 120, 40, ConsoleLoad.Feed.JOB),
        new ConsoleLoad.Case(GraphicsProtocol.SIXEL, 200, 60, ConsoleLoad.Feed.JOB),
        new ConsoleLoad.Case(GraphicsProtocol.HALFBLOCK, 80, 24, ConsoleLoad.Feed.SYNTHETIC)}) {
      ConsoleLoad.Figures f = ConsoleLoad.measure(dir, c, 2, 2.5, 10);
      assertThat(f.steps()).as(c.label() + ": steps seen by the console").isGreaterThan(5);
      assertThat(f.bytesPerSecond()).as(c.label()).isGreaterThan(0);
      assertThat(f.framesPerSecond()).as(c.label() + ": frames while steps arrive").isGreaterThan(0);
      assertThat(f.guiCpu()).as(c.label() + ": the GUI loop must sleep, not spin").isLessThan(0.6);
      assertThat(f.consoleCpu()).isGreaterThanOrEqualTo(f.guiCpu());
      if (c.feed() == ConsoleLoad.Feed.JOB) assertThat(f.watchCpu()).as("the folder watcher runs").isGreaterThan(0);
      assertThat(f.toMap()).containsEntry("feed", c.feed().flag()).containsKeys("console_cpu", "bytes_per_s", "frames_per_s");
    }
  }
}
