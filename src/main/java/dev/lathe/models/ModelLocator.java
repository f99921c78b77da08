package dev.lathe.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a model's files on this machine, never on the network. A model is named by a path (a diffusers folder such
 * as a Hugging Face snapshot, or a single checkpoint file) or by a Hugging Face repo id ({@code owner/name}, optionally
 * {@code @revision}) already in the local Hugging Face cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
 * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}, laid out as
 * {@code models--owner--name/snapshots/<commit>/} with {@code refs/<revision>} naming the commit.
 *
 * <p>When something is missing the exception says what was needed and lists every place that was looked at.
 */
public final class ModelLocator {
  private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*(@[A-Za-z0-9_./-]+)?");

  private final Path hubCache;

  /** A locator for this process's environment and home folder. */
  public static ModelLocator system() {
    return new ModelLocator(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** A locator for a given environment (tests pass their own). */
  public ModelLocator(Map<String, String> env, Path home) {
    String hub = env.get("HF_HUB_CACHE");
    String hfHome = env.get("HF_HOME");
    String xdg = env.get("XDG_CACHE_HOME");
    if (hub != null && !hub.isBlank()) hubCache = Path.of(hub);
    else if (hfHome != null && !hfHome.isBlank()) hubCache = Path.of(hfHome, "hub");
    else if (xdg != null && !xdg.isBlank()) hubCache = Path.of(xdg, "huggingface", "hub");
    else hubCache = home.resolve(".cache/huggingface/hub");
  }

  /** The Hugging Face hub cache this locator reads. */
  public Path hubCache() {
    return hubCache;
  }

  /** A path that does not exist, or a repo id that is not cached; the message is one line. */
  public static final class NotFound extends IOException {
    public NotFound(String message) {
      super(message);
    }
  }

  /**
   * Resolves a path or a cached repo id to a local file or folder.
   *
   * @param what the part being looked for, for the message ("model", "text encoder")
   */
  public Path resolve(String spec, String what) throws NotFound {
    List<String> looked = new ArrayList<>();
    Path p = resolveOrNull(spec, looked);
    if (p != null) return p;
    throw new NotFound(what + " '" + spec + "': not found; looked at " + String.join(", ", looked)
        + (REPO_ID.matcher(spec).matches() ? " (Lathe never downloads: fetch it first, e.g. `hf download " + spec.split("@")[0] + "`)" : ""));
  }

  /** The cached snapshot folder of a repo id, if it is in the cache. */
  public java.util.Optional<Path> cached(String repoId) {
    return REPO_ID.matcher(repoId).matches() && !Files.exists(Path.of(repoId))
        ? java.util.Optional.ofNullable(resolveOrNull(repoId, new ArrayList<>())) : java.util.Optional.empty();
  }

  private Path resolveOrNull(String spec, List<String> looked) {
    Path direct = Path.of(spec).toAbsolutePath().normalize();
    looked.add(direct.toString());
    if (Files.exists(direct)) return direct;
    if (!REPO_ID.matcher(spec).matches() || spec.startsWith(".")) return null;
    String[] at = spec.split("@", 2);
    String revision = at.length > 1 ? at[1] : "main";
    Path repo = hubCache.resolve("models--" + at[0].replace("/", "--"));
    if (!Files.isDirectory(repo)) {
      looked.add(repo.toString());
      return null;
    }
    Path snapshots = repo.resolve("snapshots");
    Path ref = repo.resolve("refs").resolve(revision);
    looked.add(ref.toString());
    try {
      if (Files.isRegularFile(ref)) {
        Path snap = snapshots.resolve(Files.readString(ref).trim());
        looked.add(snap.toString());
        return Files.isDirectory(snap) ? snap : null;
      }
      Path byCommit = snapshots.resolve(revision);   // a commit hash given directly
      looked.add(byCommit.toString());
      if (Files.isDirectory(byCommit)) return byCommit;
      if (revision.equals("main") && Files.isDirectory(snapshots)) {   // no refs/main: the newest snapshot
        try (Stream<Path> s = Files.list(snapshots)) {
          return s.filter(Files::isDirectory).max(Comparator.comparingLong(ModelLocator::mtime)).orElse(null);
        }
      }
    } catch (IOException e) {
      looked.add(repo + " (unreadable: " + e.getMessage() + ")");
    }
    return null;
  }

  private static long mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Finds one part of a model.
   *
   * @param what the part, for the message ("text encoder")
   * @param override what the user named for this part (a path or repo id), or null
   * @param subpaths where the part sits inside a folder ("text_encoder"); tried below an override, then below each of
   *     {@code roots}
   * @param roots folders that may hold the part (the model's own folder; none for a single-file model)
   * @param usable what counts as found (a checkpoint file or folder, a tokenizer.json)
   * @param hint how to name the part, appended to the message ("pass --text-encoder PATH")
   */
  public Path part(String what, String override, List<String> subpaths, List<Path> roots, Predicate<Path> usable, String hint)
      throws NotFound {
    List<String> looked = new ArrayList<>();
    List<Path> candidates = new ArrayList<>();
    if (override != null) {
      Path base = resolveOrNull(override, looked);
      if (base == null) throw new NotFound(what + " '" + override + "': not found; looked at " + String.join(", ", looked));
      looked.clear();
      for (String sub : subpaths) candidates.add(base.resolve(sub));
      candidates.add(base);
    } else {
      for (Path root : roots) {
        if (root == null || !Files.isDirectory(root)) continue;
        for (String sub : subpaths) candidates.add(root.resolve(sub).normalize());
      }
    }
    for (Path c : candidates.stream().distinct().toList()) {
      looked.add(c.toString());
      if (Files.exists(c) && usable.test(c)) return c;
    }
    throw new NotFound(what + ": not found; looked at " + (looked.isEmpty() ? "nothing (the model is a single file)" : String.join(", ", looked))
        + (hint == null ? "" : "; " + hint));
  }

  /** A .safetensors file, a .safetensors.index.json, or a folder holding one. */
  public static boolean isCheckpoint(Path p) {
    String n = p.getFileName().toString();
    if (Files.isRegularFile(p)) return n.endsWith(".safetensors") || n.endsWith(".safetensors.index.json");
    if (!Files.isDirectory(p)) return false;
    try (Stream<Path> s = Files.list(p)) {
      return s.anyMatch(f -> {
        String m = f.getFileName().toString();
        return m.endsWith(".safetensors") || m.endsWith(".safetensors.index.json");
      });
    } catch (IOException e) {
      return false;
    }
  }

  /** A regular file whose name ends with .json. */
  public static boolean isJsonFile(Path p) {
    return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json");
  }
}
