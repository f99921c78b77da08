package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.lathe.config.ConfigDocument;
import dev.lathe.config.Configs;
import dev.lathe.config.FamilyCatalog;
import dev.lathe.config.PresetLibrary;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * New job, in two steps. First a preset (the demo first: Enter prepares and launches it). Then the nine panels (JOB,
 * MODEL, QUANTIZATION, TARGET, SAVE, TRAINING, ADVANCED, DATASETS, SAMPLE) as forms generated from {@link Schema}: every
 * field with its label, choices and help text, the value this file or its preset gives it, and its problems beside it
 * as you type (a value the field refuses at once; the whole-config checks a moment later, off the GUI thread). A tenth
 * tab, LAUNCH, sums up. Edits go into a {@link ConfigDocument}, so Ctrl-s saves the file with its comments and
 * untouched lines; Ctrl-r (or Enter on LAUNCH) checks, queues the job and starts a runner, then shows the Monitor.
 * {@code e} on a preset edits a user preset the same way (a built-in one becomes a new user preset extending it).
 */
public final class NewJobScreen implements ConsoleScreen {
  /** A row of the preset list. */
  record PresetItem(String name, String title, String description, boolean demo, PresetLibrary.Entry entry,
      boolean trainable) {}

  static final int LAUNCH_TAB = PanelForms.LAUNCH_TAB;
  private static final int DATASETS_TAB = PanelForms.DATASETS_TAB;
  private static final int SAMPLE_TAB = PanelForms.SAMPLE_TAB;

  private final Shell shell;
  private final Skin skin;
  private final PresetList list;
  private final Line tabs;
  private final Line status;
  private final LaunchPane launchPane;
  private final Panel body;
  private final Map<Action, Runnable> handlers = new EnumMap<>(Action.class);

  private List<PresetItem> presets;           // null until loaded
  private boolean loadingPresets;
  private int sel;
  private final List<String> progress = new ArrayList<>();
  private boolean busy;

  private Draft draft;                        // non-null in the panels step
  private Form form;                          // the shown panel's form (null on LAUNCH)
  private int tab;

  public NewJobScreen(Shell shell) {
    this.shell = shell;
    this.skin = shell.skin();
    list = new PresetList();
    tabs = new Line(skin);
    status = new Line(skin);
    launchPane = new LaunchPane();
    body = new Panel(new Layout());
    Console.noFill(body);
    body.addComponent(list).addComponent(tabs).addComponent(status).addComponent(launchPane);
    handlers.put(Action.SELECT_UP, () -> select(sel - 1));
    handlers.put(Action.SELECT_DOWN, () -> select(sel + 1));
    handlers.put(Action.OPEN, this::open);
    handlers.put(Action.EDIT_PRESET, this::edit);
    handlers.put(Action.PANEL_NEXT, () -> tab(tab + 1));
    handlers.put(Action.PANEL_PREV, () -> tab(tab - 1));
    handlers.put(Action.SAVE_FILE, this::save);
    handlers.put(Action.LAUNCH, this::launch);
    handlers.put(Action.ENTRY_ADD, this::addEntry);
    handlers.put(Action.ENTRY_REMOVE, this::removeEntry);
  }

  @Override
  public String title() {
    return "New job";
  }

  @Override
  public Action showAction() {
    return Action.SCREEN_NEW_JOB;
  }

  @Override
  public Scope scope() {
    return draft == null ? Scope.PRESETS : Scope.PANELS;
  }

  @Override
  public Component component() {
    return body;
  }

  @Override
  public Map<Action, Runnable> handlers() {
    return handlers;
  }

  @Override
  public void show(Frame frame) {}

  @Override
  public void shown() {
    if (presets == null && !loadingPresets) {
      loadingPresets = true;
      shell.background(NewJobScreen::loadPresets, p -> {
        presets = p;
        loadingPresets = false;
        list.invalidate();
      }, err -> loadingPresets = false);
    }
  }

  @Override
  public String disabledReason(Action a) {
    if (shell.workspace() == null && (a == Action.OPEN || a == Action.LAUNCH || a == Action.EDIT_PRESET)) {
      return "no output folder (start the console with --output DIR)";
    }
    return null;
  }

  /** Text fields take typed keys first; Esc leaves the panels for the preset list (asking when there are edits). */
  @Override
  public boolean keyTyped(KeyStroke key) {
    if (draft == null) return false;
    if (key.getKeyType() == KeyType.Escape) {
      leavePanels();
      return true;
    }
    return form != null && form.onKey(key);
  }

  // ---- step 1: presets ------------------------------------------------------------------------------------------

  /** The demo first, then every preset with its family and the first line of its own comment. */
  static List<PresetItem> loadPresets() throws java.io.IOException {
    List<PresetItem> out = new ArrayList<>();
    out.add(new PresetItem("demo", "Demo: tiny model, trains on the CPU in minutes",
        "Generates a tiny Z-Image model and 24 captioned pictures here (the first time it fits a small "
            + "autoencoder: about a minute), then trains a LoRA you can watch learn. Nothing is downloaded.",
        true, null, true));
    PresetLibrary lib = PresetLibrary.standard();
    for (PresetLibrary.Entry e : lib.list()) {
      String text = lib.text(e);
      String desc = "";
      for (String line : text.split("\n")) {
        String t = line.strip();
        if (t.startsWith("#")) {
          desc = t.replaceFirst("^#+\\s*", "");
          if (!desc.isEmpty()) break;
        } else if (!t.isEmpty()) {
          break;
        }
      }
      String arch = "";
      try {
        arch = Configs.preset(e.name(), lib).config().model().architecture();
      } catch (java.io.IOException | RuntimeException ignored) {
        // a broken user preset still shows; opening it reports why
      }
      var fam = FamilyCatalog.find(arch);
      String title = fam.map(FamilyCatalog.Family::displayName).orElse(arch.isEmpty() ? "?" : arch)
          + (e.kind() == PresetLibrary.Kind.USER ? " · your preset" : "");
      out.add(new PresetItem(e.name(), title, desc, false, e, fam.map(FamilyCatalog.Family::implemented).orElse(false)));
    }
    return out;
  }

  private void select(int i) {
    if (draft != null || presets == null || presets.isEmpty()) return;
    sel = Math.max(0, Math.min(presets.size() - 1, i));
    list.invalidate();
  }

  PresetItem selectedPreset() {
    return presets == null || presets.isEmpty() ? null : presets.get(sel);
  }

  /** Enter: the demo prepares and launches; a preset opens the panels on a new job file. On LAUNCH: launch. */
  private void open() {
    if (draft != null) {
      if (tab == LAUNCH_TAB) launch();
      else if (form != null) form.onKey(new KeyStroke(KeyType.Tab));
      return;
    }
    PresetItem p = selectedPreset();
    if (p == null) return;
    if (p.demo()) {
      launchDemo();
      return;
    }
    newJob(p.name());
  }

  /** Prepares and launches the demo, showing its progress; then the Monitor. */
  void launchDemo() {
    if (busy) {
      shell.flash("busy: " + (progress.isEmpty() ? "working" : progress.get(progress.size() - 1)), Role.MUTED);
      return;
    }
    Workspace ws = shell.workspace();
    if (ws == null || !ws.hasDemo()) {
      shell.flash("no demo in this console", Role.WARN);
      return;
    }
    busy = true;
    progress.clear();
    say("Preparing the demo: a tiny model and 24 pictures (the first time this fits a small autoencoder, about a minute)…");
    shell.background(() -> ws.launchDemo(m -> shell.later(() -> say(m))), m -> {
      busy = false;
      say(m);
      shell.flash(m, Role.OK);
      shell.show(Action.SCREEN_MONITOR);
    }, err -> {
      busy = false;
      say("failed: " + err);
    });
  }

  private void say(String line) {
    progress.add(line);
    while (progress.size() > 6) progress.remove(0);
    list.invalidate();
  }

  /** A new job file in the working directory that extends {@code preset}, with one empty dataset to fill in. */
  private void newJob(String preset) {
    Workspace ws = shell.workspace();
    String name = ws.freeName(preset.replaceAll("[^A-Za-z0-9_-]", "_") + "_lora");
    Path cwd = ws.jobFiles();
    Path file = cwd.resolve(name + ".toml");
    for (int i = 2; Files.exists(file); i++) file = cwd.resolve(name + "_" + i + ".toml");
    StringBuilder text = new StringBuilder();
    text.append("# Job file made in the Lathe console from the preset ").append(preset).append(".\n");
    text.append("# Every field not set here comes from the preset; `lathe config show ").append(file.getFileName())
        .append(" --resolved` lists them all.\n");
    text.append("extends = \"").append(preset).append("\"\n");
    if (!ws.output().equals(cwd.resolve("output"))) text.append("output = ").append(quote(ws.output().toString())).append('\n');
    text.append("\n[job]\nname = \"").append(name).append("\"\n\n[[datasets]]\nfolder = \"\"\n");
    try {
      openDraft(new Draft(ConfigDocument.parse(text.toString(), file), false, "new job file " + file));
    } catch (dev.lathe.config.ConfigException e) {
      shell.flash(e.getMessage(), Role.ERROR);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** e: the demo's job file, a user preset in place, or a built-in as a new user preset that extends it. */
  private void edit() {
    if (draft != null) return;
    PresetItem p = selectedPreset();
    if (p == null) return;
    if (p.demo()) {
      Workspace ws = shell.workspace();
      busy = true;
      progress.clear();
      say("Preparing the demo to open it in the panels…");
      shell.background(() -> {
        Path f = ws.demoFile(m -> shell.later(() -> say(m)));
        ConfigDocument d = ConfigDocument.load(f);
        d.set("job.name", ws.freeName("demo"));
        return d;
      }, d -> {
        busy = false;
        openDraft(new Draft(d, false, "the demo's job file " + d.file()));
      }, err -> busy = false);
      return;
    }
    Path userDir = PresetLibrary.userDir();
    shell.background(() -> {
      if (p.entry().kind() == PresetLibrary.Kind.USER) return ConfigDocument.load(p.entry().file());
      Path f = userDir.resolve("my_" + p.name() + ".toml");
      if (Files.exists(f)) return ConfigDocument.load(f);
      return ConfigDocument.parse("# Your preset, based on the built-in " + p.name() + ": set only what differs.\n"
          + "extends = \"" + p.name() + "\"\n", f);
    }, d -> openDraft(new Draft(d, true, "preset " + d.file())));
  }

  // ---- step 2: panels -------------------------------------------------------------------------------------------

  /** The document being edited and what the checks said about it. */
  final class Draft {
    final ConfigDocument doc;
    final boolean preset;
    final String label;
    final PresetLibrary presets = PresetLibrary.standard();
    ResolvedConfig rc;
    List<Problem> problems = List.of();
    final Map<String, String> applied = new HashMap<>();
    final Map<String, String> refused = new HashMap<>();      // field → the typed value the field refused
    final Map<String, String> refusedWhy = new HashMap<>();   // field → why
    boolean checking;
    boolean dirty;
    boolean checked;
    String savedText;                                          // the text last loaded or saved

    Draft(ConfigDocument doc, boolean preset, String label) {
      this.doc = doc;
      this.preset = preset;
      this.label = label;
      this.savedText = doc.text();
      resolve();
    }

    /** Edited since it was opened or last saved. */
    boolean modified() {
      return !doc.text().equals(savedText);
    }

    /** Saves the file (worker thread); remembers what was saved. */
    Path save() throws java.io.IOException {
      String text = doc.text();
      Files.createDirectories(doc.file().toAbsolutePath().getParent());
      doc.save();
      savedText = text;
      return doc.file();
    }

    void resolve() {
      rc = preset ? Configs.parsePreset(doc.text(), doc.file(), presets) : Configs.parse(doc.text(), doc.file(), presets);
    }
  }

  private void openDraft(Draft d) {
    draft = d;
    tab = 0;
    buildForm(0);
    check();
    shell.chrome();
    body.invalidate();
  }

  /** The draft being edited (tests). */
  Draft draft() {
    return draft;
  }

  Form form() {
    return form;
  }

  int tab() {
    return tab;
  }

  private void tab(int t) {
    if (draft == null) return;
    tab = Math.floorMod(t, PanelForms.TABS.size());
    buildForm(0);
    body.invalidate();
  }

  /** Puts the cursor on a problem's field, switching to its panel. */
  private void goTo(Problem p) {
    int t = PanelForms.tabOf(p.field());
    if (t != tab) {
      tab = t;
      buildForm(0);
    }
    if (form != null) form.focus(p.field());
    body.invalidate();
  }

  /** Builds the form of the current tab from the schema and the resolved values, cursor at {@code focus}. */
  private void buildForm(int focus) {
    if (form != null) body.removeComponent(form);
    form = null;
    if (tab == LAUNCH_TAB) {
      body.invalidate();
      return;
    }
    draft.resolve();
    PanelForms.Built b = PanelForms.build(tab, draft.rc, draft.preset);
    String title = b.title();
    List<Form.Field> fields = b.fields();
    Map<String, String> initial = new HashMap<>(b.initial());
    draft.applied.putAll(initial);
    for (Map.Entry<String, String> r : draft.refused.entrySet()) if (initial.containsKey(r.getKey())) initial.put(r.getKey(), r.getValue());
    form = new Form(skin, title, fields, initial, this::validate);
    form.emptyText(tab == DATASETS_TAB ? "No dataset yet: Ctrl-n adds a folder of images." : "Nothing to set here.");
    form.focusIndex(focus);
    body.addComponent(form);
    body.invalidate();
  }

  /** The form's validator: applies what changed to the document, then reports refused values and the last checks. */
  private List<Form.Problem> validate(Map<String, String> values) {
    Draft d = draft;
    if (d == null) return List.of();
    boolean changed = false;
    for (Map.Entry<String, String> e : values.entrySet()) {
      String k = e.getKey(), v = e.getValue();
      if (Objects.equals(d.applied.get(k), v)) continue;
      d.applied.put(k, v);
      try {
        materializeFor(k);
        d.doc.setText(k, PanelForms.documentText(v));
        d.refused.remove(k);
        changed = true;
      } catch (IllegalArgumentException ex) {
        String m = ex.getMessage();
        d.refused.put(k, v);
        d.refusedWhy.put(k, m.startsWith(k + ": ") ? m.substring(k.length() + 2) : m);
      }
      if (!d.refused.containsKey(k)) d.refusedWhy.remove(k);
    }
    if (changed) check();
    List<Form.Problem> out = new ArrayList<>();
    for (Map.Entry<String, String> r : d.refusedWhy.entrySet()) out.add(new Form.Problem(r.getKey(), r.getValue(), true));
    for (Problem p : d.problems) {
      if (!d.refusedWhy.containsKey(p.field())) out.add(new Form.Problem(p.field(), p.message(), p.isError()));
      // a cross-field check names its other fields in the message ("save.every is 100 but sample.every is 250"):
      // show it beside those too, so it appears where the value was just typed
      for (String k : values.keySet()) {
        if (!k.equals(p.field()) && !d.refusedWhy.containsKey(k) && PanelForms.mentions(p.message(), k)) {
          out.add(new Form.Problem(k, p.message(), p.isError()));
        }
      }
    }
    return out;
  }

  /**
   * A list the file does not set yet (it inherits the preset's prompts) is copied into the file before one of its
   * entries is edited, since a list in a file replaces the inherited one as a whole.
   */
  private void materializeFor(String key) {
    Matcher m = PanelForms.ENTRY.matcher(key);
    if (!m.find()) return;
    String list = m.group(1);
    if (draft.doc.count(list) > 0) return;
    PanelForms.copyList(draft.doc, draft.rc.config(), list);
  }

  /** Runs the whole-config checks off the GUI thread; a change while they run starts them again when they end. */
  private void check() {
    Draft d = draft;
    if (d.checking) {
      d.dirty = true;
      return;
    }
    d.checking = true;
    d.dirty = false;
    String text = d.doc.text();
    Path file = d.doc.file();
    Workspace ws = shell.workspace();
    shell.background(() -> {
      ResolvedConfig rc = d.preset ? Configs.parsePreset(text, file, d.presets) : Configs.parse(text, file, d.presets);
      return Configs.check(rc, ws == null ? dev.lathe.config.Environment.none() : ws.environment());
    }, problems -> {
      d.checking = false;
      if (draft != d) return;
      if (d.dirty) {
        check();
        return;
      }
      d.problems = problems;
      d.checked = true;
      if (form != null) form.revalidate();
      shell.chrome();
      body.invalidate();
    }, err -> d.checking = false);
  }

  private void save() {
    Draft d = draft;
    if (d == null) return;
    if (!d.refusedWhy.isEmpty()) {
      shell.flash("fix the refused value first: " + d.refusedWhy.keySet().iterator().next(), Role.WARN);
      return;
    }
    shell.background(d::save, f -> {
      shell.flash("saved " + f + " (comments and untouched lines kept)", Role.OK);
      if (d.preset) presets = null;                    // list the new or changed preset next time
    });
  }

  /** Ctrl-r: errors send the cursor to the first; warnings ask; then the job is queued and a runner starts it. */
  private void launch() {
    Draft d = draft;
    if (d == null) return;
    if (d.preset) {
      shell.flash("a preset is a template: Ctrl-s saves it; then New job, pick it, and launch the job", Role.WARN);
      return;
    }
    if (!d.refusedWhy.isEmpty()) {
      String k = d.refusedWhy.keySet().iterator().next();
      goTo(Problem.error(null, 0, k, d.refusedWhy.get(k), "value"));
      shell.flash(k + ": " + d.refusedWhy.get(k), Role.ERROR);
      return;
    }
    if (busy) return;
    busy = true;
    String text = d.doc.text();
    Path file = d.doc.file();
    Workspace ws = shell.workspace();
    shell.background(() -> {
      ResolvedConfig rc = Configs.parse(text, file, d.presets);
      return new Checked(rc, Configs.check(rc, ws.environment()));
    }, c -> {
      busy = false;
      if (draft != d) return;
      d.problems = c.problems();
      d.checked = true;
      if (form != null) form.revalidate();
      List<Problem> errors = c.problems().stream().filter(Problem::isError).toList();
      List<Problem> warnings = c.problems().stream().filter(Problem::isWarning).toList();
      if (!errors.isEmpty()) {
        goTo(errors.get(0));
        Problem p = errors.get(0);
        shell.flash(errors.size() + " error" + (errors.size() == 1 ? "" : "s") + " block the launch: "
            + (p.field().isEmpty() ? "" : p.field() + ": ") + p.message(), Role.ERROR);
        return;
      }
      if (!warnings.isEmpty()) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < Math.min(3, warnings.size()); i++) {
          Problem p = warnings.get(i);
          q.append(i == 0 ? "" : " · ").append(p.field().isEmpty() ? "" : p.field() + ": ").append(p.message());
        }
        if (warnings.size() > 3) q.append(" · and ").append(warnings.size() - 3).append(" more (LAUNCH tab)");
        shell.ask("Launch with " + warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s") + "?", q.toString(),
            List.of(new Shell.Choice("y", "launch anyway"), new Shell.Choice("n", "back to the panels")), k -> {
              if (k.equals("y")) queue(d, c.rc());
              else goTo(warnings.get(0));
            });
        return;
      }
      queue(d, c.rc());
    }, err -> busy = false);
  }

  private record Checked(ResolvedConfig rc, List<Problem> problems) {}

  private void queue(Draft d, ResolvedConfig rc) {
    busy = true;
    Workspace ws = shell.workspace();
    shell.background(() -> {
      String saved = "";
      if (d.modified() || !Files.exists(d.doc.file())) {
        d.save();
        saved = "saved " + d.doc.file().getFileName() + "; ";
      }
      return saved + ws.launch(rc);
    }, m -> {
      busy = false;
      if (draft == d) {
        draft = null;
        if (form != null) body.removeComponent(form);
        form = null;
      }
      shell.flash(m, Role.OK);
      shell.show(Action.SCREEN_MONITOR);
    }, err -> busy = false);
  }

  private void leavePanels() {
    Draft d = draft;
    if (d == null) return;
    Runnable leave = () -> {
      draft = null;
      if (form != null) body.removeComponent(form);
      form = null;
      shell.chrome();
      body.invalidate();
    };
    if (!d.modified()) {
      leave.run();
      return;
    }
    shell.ask("Leave the panels?", "Your changes to " + d.doc.file().getFileName() + " are not saved.",
        List.of(new Shell.Choice("s", "save, then leave"), new Shell.Choice("d", "discard them"), new Shell.Choice("n", "stay")), k -> {
          if (k.equals("d")) {
            leave.run();
          } else if (k.equals("s")) {
            shell.background(d::save, f -> {
              shell.flash("saved " + f, Role.OK);
              leave.run();
            });
          }
        });
  }

  private void addEntry() {
    if (draft == null) return;
    if (tab == DATASETS_TAB && !draft.preset) {
      shell.prompt("Add a dataset folder", "A folder of images with same-named .txt captions. ~ and paths relative to "
          + Path.of("").toAbsolutePath() + " work; leave it empty to type it in the form.", "", path -> {
            materializeFor("datasets[0].");
            int i = draft.doc.addDataset(path.isBlank() ? "" : Console.expand(path).toString());
            buildForm(0);
            form.focus("datasets[" + i + "].folder");
            check();
          });
    } else if (tab == SAMPLE_TAB) {
      shell.prompt("Add a sample prompt", "What the preview should show; [trigger] becomes the trigger word.", "", text -> {
        materializeFor("sample.prompts[0].");
        int i = draft.doc.addPrompt(text);
        buildForm(0);
        form.focus("sample.prompts[" + i + "].prompt");
        check();
      });
    } else {
      shell.flash("Ctrl-n adds a dataset on DATASETS or a prompt on SAMPLE", Role.MUTED);
    }
  }

  private void removeEntry() {
    if (draft == null || form == null || form.focused() == null) return;
    Matcher m = PanelForms.ENTRY.matcher(form.focused().key());
    if (!m.find()) {
      shell.flash("put the cursor on a dataset's or a prompt's field to remove it", Role.MUTED);
      return;
    }
    String list = m.group(1);
    int i = Integer.parseInt(m.group(2));
    String what = list.equals("datasets") ? "dataset " + (i + 1) : "prompt " + (i + 1);
    shell.ask("Remove " + what + "?", "It goes from the file when you save; the other entries stay.",
        List.of(new Shell.Choice("y", "remove it"), new Shell.Choice("n", "keep it")), k -> {
          if (!k.equals("y") || draft == null) return;
          materializeFor(list + "[0].");
          if (list.equals("datasets")) draft.doc.removeDataset(i);
          else draft.doc.removePrompt(i);
          draft.refused.keySet().removeIf(x -> x.startsWith(list + "["));
          draft.refusedWhy.keySet().removeIf(x -> x.startsWith(list + "["));
          draft.applied.keySet().removeIf(x -> x.startsWith(list + "["));
          int f = form.focusIndex();
          buildForm(f);
          check();
        });
  }

  // ---- drawing --------------------------------------------------------------------------------------------------

  private void chromeLines() {
    if (draft == null) return;
    Map<Integer, int[]> counts = new HashMap<>();          // tab → {errors, warnings}
    for (Problem p : draft.problems) {
      int[] c = counts.computeIfAbsent(PanelForms.tabOf(p.field()), k -> new int[2]);
      c[p.isError() ? 0 : 1]++;
    }
    for (String k : draft.refusedWhy.keySet()) counts.computeIfAbsent(PanelForms.tabOf(k), x -> new int[2])[0]++;
    boolean narrow = body.getSize().getColumns() < 110;
    List<Line.Span> t = new ArrayList<>();
    for (int i = 0; i < PanelForms.TABS.size(); i++) {
      int[] c = counts.getOrDefault(i, new int[2]);
      String name = narrow ? PanelForms.TABS.get(i).shortTitle() : PanelForms.TABS.get(i).title();
      String mark = c[0] > 0 ? (skin.unicode() ? "✗" : "x") : c[1] > 0 ? "!" : "";
      boolean on = i == tab;
      t.add(new Line.Span(" " + name, on ? Role.SELECTED : i == LAUNCH_TAB ? Role.ACCENT : Role.TEXT));
      t.add(new Line.Span(mark, on ? Role.SELECTED : c[0] > 0 ? Role.ERROR : Role.WARN));
      t.add(new Line.Span(" ", on ? Role.SELECTED : Role.TEXT));
    }
    t.add(new Line.Span("  PgUp/PgDn", Role.KEY));
    tabs.show(t);
    int errors = 0, warnings = 0;
    for (int[] c : counts.values()) {
      errors += c[0];
      warnings += c[1];
    }
    List<Line.Span> st = new ArrayList<>();
    st.add(new Line.Span(" " + (draft.preset ? "editing " : "") + draft.label, Role.MUTED));
    boolean mod = draft.modified();
    boolean exists = Files.exists(draft.doc.file());
    st.add(new Line.Span(mod ? " · modified (Ctrl-s saves)" : exists ? " · saved" : " · not saved yet", mod ? Role.WARN : Role.MUTED));
    st.add(new Line.Span(" · ", Role.MUTED));
    if (!draft.checked) st.add(new Line.Span("checking…", Role.MUTED));
    else st.add(new Line.Span(errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"),
        errors > 0 ? Role.ERROR : warnings > 0 ? Role.WARN : Role.OK));
    status.show(st);
  }

  /** The preset list with the selected preset's description, or the demo's progress. */
  private final class PresetList extends AbstractComponent<PresetList> {
    private int top;

    @Override
    protected ComponentRenderer<PresetList> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(PresetList p) {
          return PanesLayout.BODY;
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, PresetList p) {
          TextGUIGraphics g = Frames.framed(g0, skin, "New job · pick a preset (Enter), or e to edit one", true);
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          if (presets == null) {
            Frames.text(g, skin, 1, 0, "reading the presets…", Role.MUTED);
            return;
          }
          int detailRows = Math.min(6, Math.max(2, h / 3));
          int rows = Math.max(1, h - detailRows - 1);
          if (sel < p.top) p.top = sel;
          if (sel >= p.top + rows) p.top = sel - rows + 1;
          int nameW = 22;
          for (int i = 0; i < rows && p.top + i < presets.size(); i++) {
            PresetItem it = presets.get(p.top + i);
            boolean on = p.top + i == sel;
            Role r = on ? Role.SELECTED : it.demo() ? Role.ACCENT : it.trainable() ? Role.TEXT : Role.MUTED;
            String line = (on ? (skin.unicode() ? "▸ " : "> ") : "  ") + (it.demo() ? it.title()
                : Fmt.pad(it.name(), nameW, skin.unicode()) + " " + it.title() + (it.trainable() ? "" : " (not in this build)"));
            if (on) {
              skin.theme().apply(g, Role.SELECTED);
              g.putString(0, i, Fmt.pad(skin.unicode() ? line : Fmt.ascii(line), w, skin.unicode()));
              skin.theme().apply(g, Role.TEXT);
            } else {
              Frames.text(g, skin, 0, i, line, r);
            }
          }
          int y = h - detailRows;
          skin.theme().applyFg(g, Role.BORDER);
          g.putString(0, y - 1, (skin.unicode() ? "─" : "-").repeat(w));
          List<String> lines = new ArrayList<>();
          List<Role> roles = new ArrayList<>();
          if (!progress.isEmpty()) {
            for (String l : progress) for (String x : Wrap.words(l, w - 1)) {
              lines.add(x);
              roles.add(l.startsWith("failed") ? Role.ERROR : Role.TEXT);
            }
            while (lines.size() > detailRows) {
              lines.remove(0);
              roles.remove(0);
            }
          } else {
            PresetItem it = selectedPreset();
            if (it != null) {
              for (String x : Wrap.words(it.description(), w - 1)) {
                lines.add(x);
                roles.add(Role.MUTED);
              }
              String how = it.demo() ? "Enter prepares and launches it; e opens its job in the panels first."
                  : "Enter starts a new job file from it" + (shell.workspace() == null ? "" : " in " + shell.workspace().jobFiles())
                      + "; e edits the preset.";
              lines.add(how);
              roles.add(Role.ACCENT);
            }
          }
          for (int i = 0; i < Math.min(detailRows, lines.size()); i++) Frames.text(g, skin, 0, y + i, lines.get(i), roles.get(i));
        }
      };
    }
  }

  /** The LAUNCH tab: what will happen, and every problem. */
  private final class LaunchPane extends AbstractComponent<LaunchPane> {
    @Override
    protected ComponentRenderer<LaunchPane> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(LaunchPane p) {
          return new TerminalSize(80, 18);
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, LaunchPane p) {
          TextGUIGraphics g = Frames.framed(g0, skin, draft != null && draft.preset ? "PRESET" : "LAUNCH", true);
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          if (draft == null) return;
          List<String> lines = new ArrayList<>();
          List<Role> roles = new ArrayList<>();
          var c = draft.rc.config();
          Workspace ws = shell.workspace();
          if (draft.preset) {
            Wrap.styled(lines, roles, "A preset is a template for jobs: Ctrl-s saves it to " + draft.doc.file()
                + ". Then pick it in New job to start a job from it.", Role.TEXT, w);
          } else {
            String name = c.job().name().isBlank() ? "(no name yet)" : c.job().name();
            Path dir = ws == null ? null : ws.output().resolve(c.job().name());
            Wrap.styled(lines, roles, "Job " + name + ": " + c.training().steps() + " steps of " + c.model().architecture()
                + ", " + c.target().type().key() + " rank " + c.target().linearRank() + ", " + c.datasets().size()
                + " dataset" + (c.datasets().size() == 1 ? "" : "s") + ".", Role.TEXT, w);
            if (dir != null) {
              Wrap.styled(lines, roles, "The LoRA will be " + dir.resolve(c.job().name() + ".safetensors") + "; a checkpoint every "
                  + c.save().every() + " steps goes to " + dir.resolve("checkpoints") + ".", Role.TEXT, w);
            }
            Wrap.styled(lines, roles, "Enter (or Ctrl-r on any panel) checks everything, queues the job and starts a runner "
                + "that keeps going after the console quits; the Monitor then shows it.", Role.ACCENT, w);
          }
          lines.add("");
          roles.add(Role.TEXT);
          if (!draft.checked) {
            Wrap.styled(lines, roles, "checking…", Role.MUTED, w);
          } else if (draft.problems.isEmpty() && draft.refusedWhy.isEmpty()) {
            Wrap.styled(lines, roles, "No problems found.", Role.OK, w);
          } else {
            for (Map.Entry<String, String> r : draft.refusedWhy.entrySet()) Wrap.styled(lines, roles, "✗ " + r.getKey() + ": " + r.getValue(), Role.ERROR, w);
            for (Problem pr : draft.problems) {
              Wrap.styled(lines, roles, (pr.isError() ? "✗ " : "! ") + (pr.field().isEmpty() ? "" : pr.field() + ": ") + pr.message(),
                  pr.isError() ? Role.ERROR : Role.WARN, w);
            }
          }
          for (int i = 0; i < Math.min(h, lines.size()); i++) Frames.text(g, skin, 0, i, lines.get(i), roles.get(i));
        }
      };
    }

  }

  /** Step 1: the preset list. Step 2: tabs, status, then the form (or the launch summary). */
  private final class Layout extends PanesLayout {
    @Override
    public void doLayout(TerminalSize area, List<Component> components) {
      int w = area.getColumns(), h = area.getRows();
      boolean panels = draft != null;
      place(list, !panels, 0, 0, w, h);
      place(tabs, panels, 0, 0, w, 1);
      place(status, panels, 0, 1, w, 1);
      boolean side = w >= 140 && tab != LAUNCH_TAB;      // wide: the summary and every problem beside the form
      int formW = side ? w * 58 / 100 : w;
      place(launchPane, panels && (tab == LAUNCH_TAB || side), side ? formW : 0, 2, side ? w - formW : w, h - 2);
      if (form != null) place(form, panels, 0, 2, formW, h - 2);
      if (panels) chromeLines();
    }
  }
}
