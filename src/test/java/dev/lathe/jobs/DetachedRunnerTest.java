package dev.lathe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's runner door: one detached {@code queue run} per device, in its own session, never two. */
class DetachedRunnerTest {
  static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) return true;
    }
    return false;
  }

  /** The session id of a process, from /proc (Linux). */
  static long session(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");   // state ppid pgrp session ...
    return Long.parseLong(f[3]);
  }

  @Test
  void ensure_startsQueueRun_detachedInItsOwnSession_once(@TempDir Path dir) throws Exception {
    Path args = dir.resolve("args.txt");
    // a stand-in for scripts/lathe: records its arguments, then lives a while like a runner
    DetachedRunner r = new DetachedRunner(List.of("sh", "-c", "echo \"$@\" > '" + args + "'; sleep 20", "lathe"));
    JobStore store = new JobStore(dir.resolve("out"));
    String m = r.ensure(store, "cpu");
    assertThat(m).startsWith("started a runner for cpu (pid ").contains(store.runnerLogFile("cpu").toString());
    long pid = Long.parseLong(m.replaceAll("^.*\\(pid (\\d+);.*$", "$1"));
    try {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!(Files.exists(args) && Files.readString(args).endsWith("\n")) && System.nanoTime() < deadline) Thread.sleep(20);
      assertThat(Files.readString(args).strip()).isEqualTo("queue run --device cpu -o " + store.root());
      assertThat(store.runnerLogFile("cpu")).exists();
      if (onPath("setsid") && Files.exists(Path.of("/proc/self/stat"))) {
        assertThat(session(pid)).as("the runner has its own session").isEqualTo(pid)
            .isNotEqualTo(session(ProcessHandle.current().pid()));
      }
      assertThat(r.ensure(store, "cpu")).contains("(pid " + pid + ") will take it");     // alive: not started again
    } finally {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
  }

  @Test
  void ensure_leavesARunnerThatHoldsTheDeviceAlone(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("started");
    DetachedRunner r = new DetachedRunner(List.of("sh", "-c", "touch '" + marker + "'", "lathe"));
    JobStore store = new JobStore(dir.resolve("out"));
    Optional<JobLock> lock = store.tryRunnerLock("cuda:1");
    assertThat(lock).isPresent();
    try (JobLock l = lock.get()) {
      assertThat(store.runnerAlive("cuda:1")).isTrue();
      assertThat(r.ensure(store, "cuda:1")).isEqualTo("the runner already working on cuda:1 will take it");
      assertThat(store.tryRunnerLock("cuda:1")).isEmpty();
    }
    assertThat(store.runnerAlive("cuda:1")).isFalse();
    Thread.sleep(300);
    assertThat(marker).doesNotExist();
    assertThat(store.runnerLockFile("cuda:1").getFileName().toString()).isEqualTo(".runner-cuda-1.lock");
  }

  @Test
  void standardCommand_withoutLatheHome_isThisJvm() {
    List<String> cmd = DetachedRunner.latheCommand();
    if (System.getProperty(DetachedRunner.HOME_PROPERTY) == null) {
      assertThat(cmd.get(0)).endsWith("/bin/java");
      assertThat(cmd).contains("-cp", "dev.lathe.cli.Main");
    } else {
      assertThat(cmd.get(0)).endsWith("scripts/lathe");
    }
  }
}
