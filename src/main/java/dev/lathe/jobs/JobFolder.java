package dev.lathe.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One job's folder — the contract between the process that runs a job and everyone who watches it:
 * <pre>
 * &lt;output&gt;/&lt;name&gt;/
 *   job.toml          the resolved config that runs
 *   state.json        {@link JobStatus}, written atomically by the owner
 *   metrics.jsonl     one {@link Metrics} per logged step, append-only
 *   log.txt           human log, append-only
 *   lock              held by the owning process (see {@link JobLock})
 *   control/          requests: stop, save-now, sample-now, pause
 *   checkpoints/      &lt;name&gt;_&lt;step:9&gt;.safetensors (LoRA) + .state.safetensors (full state), manifest.json
 *   samples/          &lt;step:9&gt;_&lt;prompt&gt;.png
 *   &lt;name&gt;.safetensors the final adapter
 * </pre>
 */
public final class JobFolder {
  private static final Pattern SAMPLE = Pattern.compile("(\\d{9})_(\\d+)\\.png");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

  private final Path dir;

  public JobFolder(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** Whether {@code name} can name a job (it becomes a folder and a file name). */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches() && !name.endsWith(".");
  }

  public Path dir() {
    return dir;
  }

  public String name() {
    return dir.getFileName().toString();
  }

  public Path config() {
    return dir.resolve("job.toml");
  }

  public Path stateFile() {
    return dir.resolve("state.json");
  }

  public Path metricsFile() {
    return dir.resolve("metrics.jsonl");
  }

  public Path logFile() {
    return dir.resolve("log.txt");
  }

  public Path controlDir() {
    return dir.resolve("control");
  }

  public Path checkpointsDir() {
    return dir.resolve("checkpoints");
  }

  public Path samplesDir() {
    return dir.resolve("samples");
  }

  /** The final adapter file. */
  public Path finalAdapter() {
    return dir.resolve(name() + ".safetensors");
  }

  public boolean exists() {
    return Files.isRegularFile(stateFile());
  }

  // ---- state ----

  public JobStatus readStatus() throws IOException {
    try {
      return Json.MAPPER.readValue(Files.readAllBytes(stateFile()), JobStatus.class);
    } catch (NoSuchFileException e) {
      throw new IOException(stateFile() + ": no such file; is " + dir + " a job folder?");
    } catch (JsonProcessingException e) {
      throw new IOException(stateFile() + ": unreadable (" + e.getOriginalMessage().split("\n")[0] + ")");
    }
  }

  public void writeStatus(JobStatus s) throws IOException {
    AtomicFiles.write(stateFile(), Json.MAPPER.writeValueAsBytes(s));
  }

  /**
   * Moves the job to {@code target}, checking the move is allowed.
   *
   * @throws IllegalStateException naming both states when it is not
   */
  public JobStatus transition(JobState target, String message) throws IOException {
    return transition(target, message, java.util.function.UnaryOperator.identity());
  }

  /**
   * Like {@link #transition(JobState, String)}, with other fields of the new status set by {@code also} in the same
   * atomic write (owner, queue position).
   */
  public JobStatus transition(JobState target, String message, java.util.function.UnaryOperator<JobStatus> also) throws IOException {
    JobStatus cur = readStatus();
    if (!cur.state().canMoveTo(target))   // JobStatus.with checks too; this message names the job
      throw new IllegalStateException("job " + name() + " is " + cur.status() + " and cannot become " + target.id());
    JobStatus next = also.apply(cur.with(target, message));
    writeStatus(next);
    return next;
  }

  // ---- control requests ----

  public void request(Control c) throws IOException {
    AtomicFiles.write(controlDir().resolve(c.file()), new byte[0]);
  }

  public Set<Control> pending() {
    Set<Control> out = EnumSet.noneOf(Control.class);
    for (Control c : Control.values()) if (Files.exists(controlDir().resolve(c.file()))) out.add(c);
    return out;
  }

  public void clear(Control c) throws IOException {
    Files.deleteIfExists(controlDir().resolve(c.file()));
  }

  // ---- metrics ----

  /** Appends one metrics line; each line is written with a single write call so readers never see half a line. */
  public void append(Metrics m) throws IOException {
    appendLine(metricsFile(), Json.LINES.writeValueAsString(m));
  }

  /** Metrics lines from byte {@code offset}; the result says where to continue. A trailing partial line waits. */
  public record MetricsChunk(List<Metrics> rows, long nextOffset) {}

  public MetricsChunk readMetrics(long offset) throws IOException {
    List<Metrics> rows = new ArrayList<>();
    if (!Files.exists(metricsFile())) return new MetricsChunk(rows, 0);
    try (RandomAccessFile f = new RandomAccessFile(metricsFile().toFile(), "r")) {
      long len = f.length();
      if (offset > len) offset = 0;   // file was rewritten (resume pruned it)
      byte[] buf = new byte[(int) Math.min(len - offset, 64L << 20)];
      f.seek(offset);
      f.readFully(buf);
      int start = 0;
      for (int i = 0; i < buf.length; i++) {
        if (buf[i] == '\n') {
          if (i > start) {
            try {
              rows.add(Json.LINES.readValue(buf, start, i - start, Metrics.class));
            } catch (JsonProcessingException ignored) {
              // a line torn by a crash: skip it
            }
          }
          start = i + 1;
        }
      }
      return new MetricsChunk(rows, offset + start);
    }
  }

  /**
   * The newest metrics line that carries a loss, read from the end of the file (cheap on long runs); empty when no
   * step has been logged yet.
   */
  public java.util.Optional<Metrics> lastLoss() throws IOException {
    if (!Files.exists(metricsFile())) return java.util.Optional.empty();
    try (RandomAccessFile f = new RandomAccessFile(metricsFile().toFile(), "r")) {
      long len = f.length();
      for (long window = 4096; ; window *= 4) {
        long from = Math.max(0, len - window);
        byte[] buf = new byte[(int) (len - from)];
        f.seek(from);
        f.readFully(buf);
        int end = buf.length;
        for (int i = buf.length - 1; i >= -1; i--) {
          if (i >= 0 && buf[i] != '\n') continue;
          int start = i + 1;
          if (end > start && (from == 0 || i >= 0)) {   // a whole line (the first one of a window may be cut)
            try {
              Metrics m = Json.LINES.readValue(buf, start, end - start, Metrics.class);
              if (m.loss() != null) return java.util.Optional.of(m);
            } catch (JsonProcessingException ignored) {
              // torn or partial line: keep looking
            }
          }
          end = i;
        }
        if (from == 0 || window > (64L << 20)) return java.util.Optional.empty();
      }
    }
  }

  /** Keeps only metrics of steps ≤ {@code step} (a resumed run repeats the steps after its checkpoint). */
  public void pruneMetricsAfter(long step) throws IOException {
    if (!Files.exists(metricsFile())) return;
    StringBuilder kept = new StringBuilder();
    for (Metrics m : readMetrics(0).rows()) if (m.step() <= step) kept.append(Json.LINES.writeValueAsString(m)).append('\n');
    AtomicFiles.writeString(metricsFile(), kept.toString());
  }

  // ---- log ----

  public void log(String line) throws IOException {
    String stamp = java.time.LocalDateTime.now().withNano(0).toString().replace('T', ' ');
    appendLine(logFile(), stamp + " " + line);
  }

  /** The last {@code n} lines of the log. */
  public List<String> tailLog(int n) throws IOException {
    if (!Files.exists(logFile())) return List.of();
    try (RandomAccessFile f = new RandomAccessFile(logFile().toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - Math.max(4096, n * 256L));
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      String[] lines = new String(buf, StandardCharsets.UTF_8).split("\n");
      int skip = from > 0 ? 1 : 0;   // first line may be cut
      List<String> all = new ArrayList<>(List.of(lines).subList(Math.min(skip, lines.length), lines.length));
      return all.subList(Math.max(0, all.size() - n), all.size());
    }
  }

  private static void appendLine(Path file, String line) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(bytes));
    }
  }

  // ---- samples ----

  /** A sample image: step, prompt index, file. */
  public record Sample(long step, int prompt, Path file) {}

  /** Sample images in step order, then prompt order. */
  public List<Sample> samples() throws IOException {
    List<Sample> out = new ArrayList<>();
    if (!Files.isDirectory(samplesDir())) return out;
    try (Stream<Path> s = Files.list(samplesDir())) {
      s.forEach(p -> {
        Matcher m = SAMPLE.matcher(p.getFileName().toString());
        if (m.matches()) out.add(new Sample(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), p));
      });
    }
    out.sort((a, b) -> a.step() != b.step() ? Long.compare(a.step(), b.step()) : Integer.compare(a.prompt(), b.prompt()));
    return out;
  }

  public Path samplePath(long step, int prompt) {
    return samplesDir().resolve(String.format("%09d_%d.png", step, prompt));
  }

  public Checkpoints checkpoints() {
    return new Checkpoints(checkpointsDir(), name());
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
