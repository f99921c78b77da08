package dev.lathe.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @Test
  void failingWrite_keepsOldFile_andLeavesNoTemp(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("state.json");
    AtomicFiles.writeString(target, "old");
    assertThatThrownBy(() -> AtomicFiles.write(target, ch -> {
      AtomicFiles.writeFully(ch, ByteBuffer.wrap("half of the new".getBytes()));
      throw new IOException("disk full");
    })).hasMessage("disk full");
    assertThat(Files.readString(target)).isEqualTo("old");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.toList()).containsExactly(target);
    }
  }

  @Test
  void replace_isComplete(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("a/b/c.txt");
    AtomicFiles.writeString(target, "one");
    AtomicFiles.writeString(target, "two");
    assertThat(Files.readString(target)).isEqualTo("two");
  }

  /** Child JVM: writes a large file slowly through AtomicFiles; prints WRITING once the temp file has data. */
  public static final class SlowWriter {
    public static void main(String[] args) throws IOException {
      Path target = Path.of(args[0]);
      AtomicFiles.write(target, ch -> {
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'N');
        for (int i = 0; i < 100_000; i++) {
          AtomicFiles.writeFully(ch, ByteBuffer.wrap(chunk));
          if (i == 3) {
            ch.force(false);
            System.out.println("WRITING");
            System.out.flush();
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }
  }

  @Test
  void processKilledMidWrite_leavesPreviousFileIntact(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("adapter.safetensors");
    AtomicFiles.writeString(target, "previous complete file");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(), target.toString())
        .redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      String line;
      while ((line = r.readLine()) != null && !line.equals("WRITING")) { /* wait */ }
      assertThat(line).isEqualTo("WRITING");
      try (Stream<Path> s = Files.list(dir)) {
        assertThat(s.filter(AtomicFiles::isTemp).toList()).hasSize(1);   // the new content is in flight
      }
      p.destroyForcibly();   // SIGKILL: no shutdown hooks, no finally blocks
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(target)).isEqualTo("previous complete file");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> temps = s.filter(AtomicFiles::isTemp).toList();
      assertThat(temps).hasSize(1);   // the orphan is recognisable, so cleaners can remove it
    }
  }
}
