package dev.lathe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobStoreTest {
  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(JobState.class)
  void transitions_onlyTheDocumentedMovesAreAllowed(JobState from) throws Exception {
    JobStore store = new JobStore(root);
    JobFolder j = store.create("j-" + from.id(), "x = 1\n", 10, "cpu");
    j.writeStatus(dev.lathe.testing.JobStates.force(j.readStatus(), from, null));
    EnumSet<JobState> expected = switch (from) {
      case QUEUED -> EnumSet.of(JobState.RUNNING, JobState.STOPPED);
      case RUNNING -> EnumSet.of(JobState.STOPPING, JobState.FINISHED, JobState.FAILED, JobState.INTERRUPTED);
      case STOPPING -> EnumSet.of(JobState.STOPPED, JobState.FINISHED, JobState.FAILED, JobState.INTERRUPTED);
      case STOPPED, INTERRUPTED, FAILED -> EnumSet.of(JobState.QUEUED);
      case FINISHED -> EnumSet.noneOf(JobState.class);
    };
    for (JobState to : JobState.values()) {
      j.writeStatus(dev.lathe.testing.JobStates.force(j.readStatus(), from, null));
      if (expected.contains(to)) {
        assertThat(j.transition(to, "because").state()).isEqualTo(to);
        assertThat(j.readStatus().status()).isEqualTo(to.id());
      } else {
        assertThatThrownBy(() -> j.transition(to, null)).isInstanceOf(IllegalStateException.class)
            .hasMessage("job " + j.name() + " is " + from.id() + " and cannot become " + to.id());
      }
    }
  }

  @Test
  void everyStateChangeIsChecked_andKeptInTheHistory() throws Exception {
    JobStore store = new JobStore(root);
    JobFolder j = store.create("h", "x = 1\n", 10, "cpu");
    assertThatThrownBy(() -> j.readStatus().with(JobState.FINISHED, null)).isInstanceOf(IllegalStateException.class)
        .hasMessage("a job that is queued cannot become finished");
    try (JobStore.Claim c = store.claim(j).orElseThrow()) {
      assertThatThrownBy(() -> store.requeue(j)).isInstanceOf(IllegalStateException.class);   // running: refused, file untouched
      assertThat(j.readStatus().state()).isEqualTo(JobState.RUNNING);
      j.transition(JobState.STOPPING, "stop requested");
      j.transition(JobState.STOPPED, "stopped at step 0");
    }
    try (JobStore.Claim c = store.claim(j).orElseThrow()) {   // a stopped job is queued again, then taken
      j.transition(JobState.FINISHED, "done");
    }
    JobStatus s = Json.MAPPER.readValue(Files.readAllBytes(j.stateFile()), JobStatus.class);
    assertThat(s.states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.STOPPING, JobState.STOPPED, JobState.QUEUED,
        JobState.RUNNING, JobState.FINISHED);
    List<java.time.OffsetDateTime> at = s.history().stream().map(t -> java.time.OffsetDateTime.parse(t.at())).toList();
    for (int i = 1; i < at.size(); i++) assertThat(at.get(i)).isAfterOrEqualTo(at.get(i - 1));

    // a state.json written before the history existed still reads; the history starts empty
    Files.writeString(j.stateFile(), "{\"status\":\"stopped\",\"step\":3,\"total_steps\":10,\"pid\":0,\"pid_start\":0,"
        + "\"device\":\"cpu\",\"queue_position\":1,\"checkpoint_step\":3}");
    assertThat(j.readStatus().history()).isEmpty();
    assertThat(j.transition(JobState.QUEUED, null).states()).containsExactly(JobState.QUEUED);
  }

  @Test
  void create_listQueueMoveCancelRequeue() throws Exception {
    JobStore store = new JobStore(root);
    JobFolder a = store.create("a", "", 5, "cpu");
    JobFolder b = store.create("b", "", 5, "cpu");
    JobFolder c = store.create("c", "", 5, "cuda:0");
    assertThat(store.queue("cpu")).extracting(JobFolder::name).containsExactly("a", "b");
    store.move(b, -1);
    assertThat(store.queue("cpu")).extracting(JobFolder::name).containsExactly("b", "a");
    store.cancel(b);
    assertThat(store.queue("cpu")).extracting(JobFolder::name).containsExactly("a");
    store.requeue(b);
    assertThat(store.queue("cpu")).extracting(JobFolder::name).containsExactly("a", "b");
    assertThat(store.queue("cuda:0")).extracting(JobFolder::name).containsExactly("c");
    assertThatThrownBy(() -> store.create("a", "", 5, "cpu")).hasMessageContaining("already exists");
    assertThatThrownBy(() -> store.create("../evil", "", 5, "cpu")).hasMessageContaining("job name '../evil'");
    assertThat(Files.readString(a.config())).isEmpty();
  }

  @Test
  void claimNext_takesFirstQueued_andOnlyOneRunsPerDevice() throws Exception {
    JobStore store = new JobStore(root);
    store.create("a", "", 5, "cpu");
    store.create("b", "", 5, "cpu");
    try (JobStore.Claim claim = store.claimNext("cpu").orElseThrow()) {
      assertThat(claim.job().name()).isEqualTo("a");
      JobStatus s = claim.job().readStatus();
      assertThat(s.state()).isEqualTo(JobState.RUNNING);
      assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(store.claimNext("cpu")).isEmpty();            // a runs: b waits its turn
      assertThat(store.recover()).isEmpty();                    // a's owner is alive
    }
  }

  @Test
  void deletionPlan_listsEveryFile_andDeleteRemovesThem() throws Exception {
    JobStore store = new JobStore(root);
    JobFolder j = store.create("d", "name = 'd'\n", 5, "cpu");
    Files.createDirectories(j.samplesDir());
    Files.write(j.samplePath(250, 0), new byte[] {1});
    j.log("hello");
    List<Path> plan = store.deletionPlan(j);
    assertThat(plan).extracting(p -> j.dir().relativize(p).toString())
        .contains("job.toml", "state.json", "log.txt", "samples/000000250_0.png");
    store.delete(j);
    assertThat(Files.exists(j.dir())).isFalse();
  }

  @Test
  void metrics_appendAndIncrementalRead_skipTornLine_andPrune() throws Exception {
    JobFolder j = new JobStore(root).create("m", "", 5, "cpu");
    j.append(Metrics.step(1, 0.5, 1e-4, 0.1, 2.0, 100, 120, 1000));
    j.append(Metrics.step(2, 0.4, 1e-4, 0.1, 2.0, 100, 120, 1000));
    JobFolder.MetricsChunk first = j.readMetrics(0);
    assertThat(first.rows()).extracting(Metrics::step).containsExactly(1L, 2L);
    Files.write(j.metricsFile(), "{\"step\":3,\"lo".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
    JobFolder.MetricsChunk more = j.readMetrics(first.nextOffset());
    assertThat(more.rows()).isEmpty();                      // partial line waits
    assertThat(more.nextOffset()).isEqualTo(first.nextOffset());
    Files.write(j.metricsFile(), "ss\":0.3}\n".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
    assertThat(j.readMetrics(first.nextOffset()).rows()).extracting(Metrics::loss).containsExactly(0.3);
    j.pruneMetricsAfter(1);
    assertThat(j.readMetrics(0).rows()).extracting(Metrics::step).containsExactly(1L);
  }

  @Test
  void checkpoints_keepNewestByStep_andRemoveOrphans() throws Exception {
    JobFolder j = new JobStore(root).create("k", "", 5, "cpu");
    Checkpoints ck = j.checkpoints();
    Files.createDirectories(ck.dir());
    for (long step : new long[] {300, 100, 200, 400}) {   // out of order on purpose
      Files.write(ck.adapterFile(step), new byte[] {1});
      Files.write(ck.stateFile(step), new byte[] {2});
      ck.record(step, 2);
    }
    assertThat(ck.list()).extracting(Checkpoints.Entry::step).containsExactly(300L, 400L);
    assertThat(Files.exists(ck.adapterFile(100))).isFalse();
    assertThat(ck.newest().orElseThrow().step()).isEqualTo(400);
    Files.write(ck.stateFile(500), new byte[] {3});        // crash after the file, before the manifest
    assertThat(ck.removeOrphans()).containsExactly(ck.stateFile(500));
    // touching an old file never changes what resumes
    Files.setLastModifiedTime(ck.stateFile(300), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 100000));
    assertThat(ck.newest().orElseThrow().step()).isEqualTo(400);
  }

  /** Child JVM: claims a job like a trainer does, says READY, then sleeps until killed. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      JobStore store = new JobStore(Path.of(args[0]));
      JobStore.Claim c = store.claimNext("cpu").orElseThrow();
      c.job().writeStatus(c.job().readStatus().withStep(7).withCheckpoint(5));
      System.out.println("READY");
      System.out.flush();
      Thread.sleep(600_000);
    }
  }

  /** Child JVM: drops a control request into a job folder. */
  public static final class Requester {
    public static void main(String[] args) throws Exception {
      new JobFolder(Path.of(args[0])).request(Control.parse(args[1]));
    }
  }

  private static Process java(Class<?> main, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  @Test
  void killedOwner_isFoundAtStartup_andMarkedInterrupted() throws Exception {
    JobStore store = new JobStore(root);
    JobFolder j = store.create("victim", "", 50, "cpu");
    Process p = java(Holder.class, root.toString());
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      assertThat(r.readLine()).isEqualTo("READY");
      assertThat(store.recover()).isEmpty();               // alive: left alone
      assertThat(j.readStatus().state()).isEqualTo(JobState.RUNNING);
      assertThat(JobLock.owner(j.dir()).orElseThrow().pid()).isEqualTo(p.pid());
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(store.recover()).extracting(JobFolder::name).containsExactly("victim");
    JobStatus s = j.readStatus();
    assertThat(s.state()).isEqualTo(JobState.INTERRUPTED);
    assertThat(s.message()).contains("process " + p.pid()).contains("resumable from step 5");
    assertThat(s.state().resumable()).isTrue();
    store.requeue(j);
    assertThat(store.claimNext("cpu").orElseThrow().job().name()).isEqualTo("victim");
  }

  @Test
  void controlRequests_fromAnotherProcess_areSeen() throws Exception {
    JobFolder j = new JobStore(root).create("c", "", 5, "cpu");
    for (Control c : Control.values()) {
      Process p = java(Requester.class, j.dir().toString(), c.file());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(j.pending()).contains(c);
      j.clear(c);
    }
    assertThat(j.pending()).isEmpty();
  }
}
