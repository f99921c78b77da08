package dev.lathe.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checkpoints of a job, tracked in {@code checkpoints/manifest.json} — never by file times, so copying or
 * touching files cannot change which checkpoint a resume uses. A checkpoint is the user-loadable adapter
 * {@code <name>_<step:9>.safetensors} plus the full training state {@code <name>_<step:9>.state.safetensors}.
 * Files are written first, then the manifest; files the manifest does not name are leftovers of a crash.
 */
public final class Checkpoints {
  /** One manifest entry. */
  public record Entry(@JsonProperty("step") long step, @JsonProperty("adapter") String adapter,
      @JsonProperty("state") String state, @JsonProperty("time") String time) {}

  private final Path dir;
  private final String job;

  Checkpoints(Path dir, String job) {
    this.dir = dir;
    this.job = job;
  }

  public Path dir() {
    return dir;
  }

  public Path adapterFile(long step) {
    return dir.resolve(String.format("%s_%09d.safetensors", job, step));
  }

  public Path stateFile(long step) {
    return dir.resolve(String.format("%s_%09d.state.safetensors", job, step));
  }

  private Path manifest() {
    return dir.resolve("manifest.json");
  }

  /** Entries in step order. */
  public List<Entry> list() throws IOException {
    if (!Files.exists(manifest())) return List.of();
    try {
      List<Entry> l = new ArrayList<>(Json.MAPPER.readValue(Files.readAllBytes(manifest()), new TypeReference<List<Entry>>() {}));
      l.sort(Comparator.comparingLong(Entry::step));
      return l;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(manifest() + ": unreadable (" + e.getOriginalMessage().split("\n")[0] + ")");
    }
  }

  /** The newest checkpoint whose state file exists. */
  public Optional<Entry> newest() throws IOException {
    List<Entry> l = list();
    for (int i = l.size() - 1; i >= 0; i--) if (Files.exists(dir.resolve(l.get(i).state()))) return Optional.of(l.get(i));
    return Optional.empty();
  }

  /**
   * Records a checkpoint whose files are already written, then deletes the oldest so that {@code keep} remain
   * (0 or less keeps all).
   */
  public List<Path> record(long step, int keep) throws IOException {
    List<Entry> l = new ArrayList<>(list());
    l.removeIf(e -> e.step() == step);
    l.add(new Entry(step, adapterFile(step).getFileName().toString(), stateFile(step).getFileName().toString(),
        java.time.OffsetDateTime.now().withNano(0).toString()));
    l.sort(Comparator.comparingLong(Entry::step));
    List<Entry> drop = keep > 0 && l.size() > keep ? new ArrayList<>(l.subList(0, l.size() - keep)) : List.of();
    l.removeAll(drop);
    AtomicFiles.write(manifest(), Json.MAPPER.writeValueAsBytes(l));
    List<Path> deleted = new ArrayList<>();
    for (Entry e : drop) {
      for (String f : new String[] {e.adapter(), e.state()}) {
        Path p = dir.resolve(f);
        if (Files.deleteIfExists(p)) deleted.add(p);
      }
    }
    return deleted;
  }

  /** Deletes files the manifest does not name (left by a crash between writing a file and the manifest). */
  public List<Path> removeOrphans() throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    Set<String> keep = new HashSet<>();
    keep.add("manifest.json");
    for (Entry e : list()) {
      keep.add(e.adapter());
      keep.add(e.state());
    }
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (!keep.contains(n) && (n.endsWith(".safetensors") || AtomicFiles.isTemp(p))) {
          Files.deleteIfExists(p);
          removed.add(p);
        }
      }
    }
    return removed;
  }
}
