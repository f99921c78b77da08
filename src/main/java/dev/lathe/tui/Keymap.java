package dev.lathe.tui;

import static dev.lathe.tui.Action.*;
import static dev.lathe.tui.Binding.Visibility.FOOTER;
import static dev.lathe.tui.Binding.Visibility.HELP_ONLY;
import static dev.lathe.tui.Scope.DATASETS;
import static dev.lathe.tui.Scope.GLOBAL;
import static dev.lathe.tui.Scope.MONITOR;
import static dev.lathe.tui.Scope.PANELS;
import static dev.lathe.tui.Scope.PRESETS;
import static dev.lathe.tui.Scope.QUEUE;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Every key the console answers to, in one list ({@link #DEFAULTS}). The footer, the {@code ?} overlay and
 * docs/KEYS.md are rendered from it; {@code keys.toml} rebinds actions by name. Immutable.
 */
public final class Keymap {

  /** The default bindings; order is the footer's and the help's order. */
  public static final List<Binding> DEFAULTS = List.of(
      new Binding(GLOBAL, "?", HELP, "help: every key on this screen", FOOTER),
      new Binding(GLOBAL, "f1", HELP, "help", HELP_ONLY),
      new Binding(GLOBAL, ":", PALETTE, "command palette (Tab completes, Enter runs, Esc cancels)", FOOTER),
      new Binding(GLOBAL, "1", SCREEN_DASHBOARD, "Dashboard: the running job, GPUs, recent jobs", HELP_ONLY),
      new Binding(GLOBAL, "2", SCREEN_QUEUE, "Queue: every job and its state", HELP_ONLY),
      new Binding(GLOBAL, "3", SCREEN_DATASETS, "Datasets: folders, scan summary, previews", HELP_ONLY),
      new Binding(GLOBAL, "4", SCREEN_NEW_JOB, "New job: a preset, then the nine panels", HELP_ONLY),
      new Binding(GLOBAL, "5", SCREEN_MONITOR, "Monitor: loss, LR, memory, samples, log of the job", HELP_ONLY),
      new Binding(GLOBAL, "tab", FOCUS_NEXT, "focus the next pane", HELP_ONLY),
      new Binding(GLOBAL, "shift-tab", FOCUS_PREV, "focus the previous pane", HELP_ONLY),
      new Binding(GLOBAL, "esc", BACK, "close the overlay, or go back to the previous screen", HELP_ONLY),
      new Binding(GLOBAL, "t", CYCLE_THEME, "next colour theme", HELP_ONLY),
      new Binding(GLOBAL, "ctrl-l", REDRAW, "redraw the whole screen and re-send images", HELP_ONLY),
      new Binding(GLOBAL, "q", QUIT, "quit; asks what to do with a running job", FOOTER),
      new Binding(GLOBAL, "Q", FORCE_QUIT, "quit at once, leaving any job as it is", HELP_ONLY),
      new Binding(MONITOR, "p", PAUSE, "pause or resume training", FOOTER),
      new Binding(MONITOR, "s", SAMPLE_NOW, "render samples at the next step", FOOTER),
      new Binding(MONITOR, "c", SAVE_NOW, "save a checkpoint at the next step", FOOTER),
      new Binding(MONITOR, "x", STOP, "stop the job (asks first; it saves before it stops)", FOOTER),
      new Binding(MONITOR, "o", SHOW_OUTPUT, "where the LoRA, its checkpoints and samples are", FOOTER),
      new Binding(MONITOR, "h", PAN_LEFT, "pan the focused chart to older steps", FOOTER),
      new Binding(MONITOR, "left", PAN_LEFT, "pan the focused chart to older steps", HELP_ONLY),
      new Binding(MONITOR, "l", PAN_RIGHT, "pan the focused chart to newer steps", HELP_ONLY),
      new Binding(MONITOR, "right", PAN_RIGHT, "pan the focused chart to newer steps", HELP_ONLY),
      new Binding(MONITOR, "+", ZOOM_IN, "zoom into the focused chart's step range", FOOTER),
      new Binding(MONITOR, "=", ZOOM_IN, "zoom in (the + key without Shift)", HELP_ONLY),
      new Binding(MONITOR, "-", ZOOM_OUT, "zoom out", HELP_ONLY),
      new Binding(MONITOR, "0", ZOOM_RESET, "whole run, following new steps", HELP_ONLY),
      new Binding(MONITOR, "[", SAMPLE_OLDER, "older sample of this prompt", FOOTER),
      new Binding(MONITOR, "]", SAMPLE_NEWER, "newer sample of this prompt", HELP_ONLY),
      new Binding(MONITOR, "{", PROMPT_PREV, "previous prompt's samples", HELP_ONLY),
      new Binding(MONITOR, "}", PROMPT_NEXT, "next prompt's samples", HELP_ONLY),
      new Binding(MONITOR, "k", LOG_UP, "scroll the log up", HELP_ONLY),
      new Binding(MONITOR, "j", LOG_DOWN, "scroll the log down", HELP_ONLY),
      new Binding(MONITOR, "end", LOG_FOLLOW, "follow the end of the log", HELP_ONLY),
      new Binding(QUEUE, "enter", OPEN, "open the job in the Monitor", FOOTER),
      new Binding(QUEUE, "s", START, "start: run a queued job now, or queue a stopped one again (it resumes)", FOOTER),
      new Binding(QUEUE, "x", STOP, "stop the job (asks first), or take a queued one out of the queue", FOOTER),
      new Binding(QUEUE, "o", SHOW_OUTPUT, "where the LoRA, its checkpoints and samples are", FOOTER),
      new Binding(QUEUE, "l", SHOW_LOG, "the job's log (scrollable)", FOOTER),
      new Binding(QUEUE, "d", DELETE, "delete the job folder (asks, listing what goes)", FOOTER),
      new Binding(QUEUE, "K", MOVE_UP, "move a queued job earlier in its queue", HELP_ONLY),
      new Binding(QUEUE, "J", MOVE_DOWN, "move a queued job later in its queue", HELP_ONLY),
      new Binding(QUEUE, "up", SELECT_UP, "previous job", HELP_ONLY),
      new Binding(QUEUE, "k", SELECT_UP, "previous job", HELP_ONLY),
      new Binding(QUEUE, "down", SELECT_DOWN, "next job", HELP_ONLY),
      new Binding(QUEUE, "j", SELECT_DOWN, "next job", HELP_ONLY),
      new Binding(DATASETS, "a", ADD_DATASET, "add a dataset folder (asks for its path)", FOOTER),
      new Binding(DATASETS, "r", RESCAN, "scan the folder again", FOOTER),
      new Binding(DATASETS, "enter", OPEN, "from the folders to their images", HELP_ONLY),
      new Binding(DATASETS, "up", SELECT_UP, "previous folder or image", HELP_ONLY),
      new Binding(DATASETS, "k", SELECT_UP, "previous folder or image", HELP_ONLY),
      new Binding(DATASETS, "down", SELECT_DOWN, "next folder or image", HELP_ONLY),
      new Binding(DATASETS, "j", SELECT_DOWN, "next folder or image", HELP_ONLY),
      new Binding(PRESETS, "enter", OPEN, "use it: the demo prepares and launches; a preset opens the panels", FOOTER),
      new Binding(PRESETS, "e", EDIT_PRESET, "edit: a user preset in place, a built-in as a new user preset; the demo in the panels", FOOTER),
      new Binding(PRESETS, "up", SELECT_UP, "previous preset", HELP_ONLY),
      new Binding(PRESETS, "k", SELECT_UP, "previous preset", HELP_ONLY),
      new Binding(PRESETS, "down", SELECT_DOWN, "next preset", HELP_ONLY),
      new Binding(PRESETS, "j", SELECT_DOWN, "next preset", HELP_ONLY),
      new Binding(PANELS, "pgdn", PANEL_NEXT, "next panel (the last one, LAUNCH, checks and launches)", FOOTER),
      new Binding(PANELS, "pgup", PANEL_PREV, "previous panel", HELP_ONLY),
      new Binding(PANELS, "ctrl-r", LAUNCH, "launch: check, queue the job, start a runner, watch it", FOOTER),
      new Binding(PANELS, "ctrl-s", SAVE_FILE, "save the job or preset file (comments and untouched lines kept)", FOOTER),
      new Binding(PANELS, "ctrl-n", ENTRY_ADD, "add a dataset (DATASETS) or a prompt (SAMPLE)", FOOTER),
      new Binding(PANELS, "ctrl-d", ENTRY_REMOVE, "remove the dataset or prompt under the cursor (asks)", HELP_ONLY),
      new Binding(PANELS, "enter", OPEN, "next field; on LAUNCH, launch", HELP_ONLY));

  private final List<Binding> bindings;
  private final Map<Scope, Map<String, Binding>> byKey;

  private Keymap(List<Binding> bindings) {
    this.bindings = List.copyOf(bindings);
    this.byKey = new HashMap<>();
    for (Binding b : this.bindings) {
      Binding prev = byKey.computeIfAbsent(b.scope(), s -> new LinkedHashMap<>()).putIfAbsent(b.key(), b);
      if (prev != null) {
        throw new IllegalArgumentException("key " + b.key() + " is bound twice in " + b.scope() + ": "
            + prev.action().id() + " and " + b.action().id());
      }
    }
    for (Binding b : this.bindings) {
      if (b.scope() != GLOBAL && byKey.getOrDefault(GLOBAL, Map.of()).containsKey(b.key())) {
        throw new IllegalArgumentException("key " + b.key() + " of " + b.action().id() + " hides the global "
            + byKey.get(GLOBAL).get(b.key()).action().id());
      }
    }
  }

  public static Keymap defaults() {
    return new Keymap(DEFAULTS);
  }

  /** A keymap from explicit bindings (tests, screens added later). */
  public static Keymap of(List<Binding> bindings) {
    return new Keymap(bindings);
  }

  /**
   * The defaults with {@code file}'s overrides, if the file exists. The file maps action ids to a key or a list of
   * keys ({@code pause = "P"}, {@code stop = ["x", "ctrl-x"]}); an action it names loses its default keys.
   *
   * @throws ThemeException one line naming file, line, action and problem
   */
  public static Keymap load(Path file) {
    if (file == null || !Files.isRegularFile(file)) return defaults();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ThemeException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return parse(text, file.toString());
  }

  static Keymap parse(String text, String label) {
    TomlParseResult toml = Toml.parse(text);
    if (toml.hasErrors()) {
      var e = toml.errors().get(0);
      throw new ThemeException(label + ":" + e.position().line() + ": " + e.getMessage().split("\n")[0]);
    }
    List<Binding> out = new ArrayList<>(DEFAULTS);
    for (String id : toml.keySet()) {
      TomlPosition pos = toml.inputPositionOf(List.of(id));
      String at = label + ":" + (pos == null ? 1 : pos.line()) + ": " + id + ": ";
      Action action = null;
      for (Action a : Action.values()) if (a.id().equals(id)) action = a;
      if (action == null) throw new ThemeException(at + "no such action (see docs/KEYS.md for the names)");
      Object v = toml.get(List.of(id));
      List<String> keys = new ArrayList<>();
      if (v instanceof String s) keys.add(s);
      else if (v instanceof TomlArray arr) for (Object o : arr.toList()) keys.add(String.valueOf(o));
      else throw new ThemeException(at + "expected a key in quotes or a list of them");
      Map<Scope, Binding> templates = new LinkedHashMap<>();   // the action's first default binding in each scope
      for (Binding b : DEFAULTS) if (b.action() == action) templates.putIfAbsent(b.scope(), b);
      final Action act = action;
      out.removeIf(b -> b.action() == act);
      for (Binding template : templates.values()) {
        for (String k : keys) {
          try {
            out.add(new Binding(template.scope(), k, action, template.description(), template.visibility()));
          } catch (IllegalArgumentException ex) {
            throw new ThemeException(at + ex.getMessage());
          }
        }
      }
    }
    try {
      return new Keymap(out);
    } catch (IllegalArgumentException ex) {
      throw new ThemeException(label + ": " + ex.getMessage());
    }
  }

  public List<Binding> bindings() {
    return bindings;
  }

  /** The binding {@code key} triggers on a screen of {@code scope}: the scope's own, else the global one. */
  public Optional<Binding> lookup(Scope scope, String key) {
    if (key == null) return Optional.empty();
    Binding b = byKey.getOrDefault(scope, Map.of()).get(key);
    if (b == null) b = byKey.getOrDefault(GLOBAL, Map.of()).get(key);
    return Optional.ofNullable(b);
  }

  /** The keys bound to {@code action} (in any scope), in list order, each once. */
  public List<String> keysOf(Action action) {
    List<String> out = new ArrayList<>();
    for (Binding b : bindings) if (b.action() == action && !out.contains(b.key())) out.add(b.key());
    return out;
  }

  /** Footer entries for a screen of {@code scope}: its own first, then the global ones; one per action. */
  public List<Binding> footer(Scope scope) {
    List<Binding> out = new ArrayList<>();
    for (Scope s : scope == GLOBAL ? List.of(GLOBAL) : List.of(scope, GLOBAL)) {
      for (Binding b : bindings) {
        if (b.scope() == s && b.visibility() == FOOTER && out.stream().noneMatch(o -> o.action() == b.action())) out.add(b);
      }
    }
    return out;
  }

  /** Help rows for {@code scope} then global: one row per action, its keys joined. */
  public List<String[]> helpRows(Scope scope, boolean unicode) {
    List<String[]> rows = new ArrayList<>();
    for (Scope s : scope == GLOBAL ? List.of(GLOBAL) : List.of(scope, GLOBAL)) rows.addAll(rows(s, unicode));
    return rows;
  }

  private List<String[]> rows(Scope s, boolean unicode) {
    Map<Action, List<String>> keys = new LinkedHashMap<>();
    Map<Action, String> desc = new LinkedHashMap<>();
    for (Binding b : bindings) {
      if (b.scope() != s) continue;
      keys.computeIfAbsent(b.action(), a -> new ArrayList<>()).add(Keys.display(b.key(), unicode));
      desc.putIfAbsent(b.action(), b.description());
    }
    List<String[]> out = new ArrayList<>();
    for (Map.Entry<Action, List<String>> e : keys.entrySet()) {
      out.add(new String[] {s.title(), String.join(" ", e.getValue()), desc.get(e.getKey()), e.getKey().id()});
    }
    return out;
  }

  /** docs/KEYS.md: a table per scope. The test suite checks the file equals this. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Keys\n\n");
    sb.append("Generated from `dev.lathe.tui.Keymap.DEFAULTS` (the test suite keeps this file in step). ");
    sb.append("Rebind any action in `~/.config/lathe/keys.toml` by its name, e.g. `pause = \"P\"` or ");
    sb.append("`stop = [\"x\", \"ctrl-x\"]`; an action you name loses its default keys.\n");
    for (Scope s : Scope.values()) {
      List<String[]> rows = rows(s, true);
      if (rows.isEmpty()) continue;
      sb.append("\n## ").append(s.title()).append("\n\n");
      sb.append("| key | action | what it does |\n|---|---|---|\n");
      for (String[] r : rows) {
        StringBuilder k = new StringBuilder();
        for (String one : r[1].split(" ")) k.append(k.length() == 0 ? "" : " ").append('`').append(one.replace("|", "\\|")).append('`');
        sb.append("| ").append(k).append(" | `").append(r[3]).append("` | ").append(r[2].replace("|", "\\|")).append(" |\n");
      }
    }
    return sb.toString();
  }
}
