package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.BasicWindow;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.Window;
import com.googlecode.lanterna.gui2.WindowListenerAdapter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.Terminal;
import dev.lathe.term.ColorDepth;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.TermProfile;
import dev.lathe.torch.Gpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The full-screen console: a header (job, state, step/total, it/s, ETA, GPU), the screen tabs, the current screen's
 * body, and a footer of key hints rendered from the {@link Keymap}; {@code ?} help, {@code :} palette, themes, a
 * "too small" page below 80×24. The GUI thread reads {@link MonitorSource#snapshot()} at a fixed rate and never waits
 * on training; training never waits on it.
 *
 * <p>Real terminal: {@code Console.builder().terminal(new RawUnixTerminal()).profile(TermProbe.probe(...))...build()
 * .run()}. Tests: pass a {@code DefaultVirtualTerminal} and call {@link #tick()} instead of {@link #run()}.
 */
public final class Console implements AutoCloseable {
  /** How the console ended. */
  public enum Exit {
    /** No job was active, or the user quit without one. */
    QUIT,
    /** A job is active and keeps going (in its own process, or headless in this one). */
    LEAVE_RUNNING,
    /** The user asked the job to stop (already requested through {@link JobControls#stop()}). */
    STOP_JOB
  }

  /** Rows the shell takes: header, tabs, footer. */
  static final int SHELL_ROWS = 3;

  private final Terminal terminal;
  private final TerminalScreen screen;
  private final ConsoleGUI gui;
  private final Skin skin;
  private final Themes themes;
  private final Keymap keymap;
  private final MonitorSource source;
  private final JobControls controls;
  private final Workspace workspace;
  private final Executor workers;
  private final ExecutorService ownWorkers;
  private final Supplier<List<Gpus.GpuStatus>> gpus;
  private final long periodNanos;
  private final ImageLoader images;
  private final ExecutorService imageThread;
  private final List<ConsoleScreen> screens;
  private final Map<Action, Runnable> global = new EnumMap<>(Action.class);
  private final Line header;
  private final Line tabs;
  private final Line footer;
  private final TooSmallPage tooSmall;
  private final Panel root;
  private final BasicWindow window;
  private final Deque<ConsoleScreen> history = new ArrayDeque<>();
  private final List<CommandPalette.Command> commands = new ArrayList<>();

  private ConsoleScreen current;
  private String themeName;
  private final ConsoleSettings settings;
  private volatile String themeToSave;
  private MonitorSnapshot lastJob;
  private List<Gpus.GpuStatus> lastGpus;
  private Workspace.Snapshot lastSpace;
  private long nextRefresh;
  private String flash;
  private Role flashRole = Role.TEXT;
  private long flashUntil;
  private long ctrlCAt;                     // when Ctrl-C was last pressed, 0 = never
  private Overlay overlay;
  private Window overlayWindow;
  private volatile Exit exit;
  private boolean closed;

  private Console(Builder b) throws IOException {
    this.terminal = b.terminal;
    this.themes = b.themes != null ? b.themes : Themes.load();
    this.settings = b.settings;
    this.themeName = b.theme != null ? b.theme
        : b.profile.colors() == ColorDepth.MONO ? "mono"
        : b.profile.lightBackground() && themes.names().contains("light") ? "light" : Themes.DEFAULT;
    this.skin = new Skin(themes.get(themeName, b.profile.colors()), b.profile);
    this.keymap = b.keymap != null ? b.keymap : Keymap.defaults();
    this.workspace = b.workspace;
    this.source = b.source == null ? (workspace != null ? workspace.monitor() : MonitorSource.NONE) : b.source;
    this.controls = b.controls == null ? (workspace != null ? workspace.monitor() : JobControls.NONE) : b.controls;
    if (b.workers != null) {
      workers = b.workers;
      ownWorkers = null;
    } else {
      ownWorkers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lathe-work");
        t.setDaemon(true);
        return t;
      });
      workers = ownWorkers;
    }
    this.gpus = b.gpus;
    this.periodNanos = (long) (1e9 / b.refreshHz);
    this.screen = new TerminalScreen(terminal);
    screen.startScreen();
    screen.setCursorPosition(null);
    this.gui = new ConsoleGUI(screen, terminal instanceof RawOutput r ? r : null, skin);
    gui.setTheme(skin.theme().lanterna());
    if (b.imageExecutor != null) {
      imageThread = null;
      images = new ImageLoader(b.imageExecutor, r -> gui.getGUIThread().invokeLater(r));
    } else {
      imageThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lathe-images");
        t.setDaemon(true);
        return t;
      });
      images = new ImageLoader(imageThread, r -> gui.getGUIThread().invokeLater(r));
    }

    Shell shell = new ShellImpl();
    Map<Action, ConsoleScreen> byAction = new LinkedHashMap<>();
    for (ConsoleScreen s : defaultScreens(shell)) byAction.put(s.showAction(), s);
    for (var f : b.screens) {
      ConsoleScreen s = f.apply(shell);
      byAction.put(s.showAction(), s);
    }
    this.screens = List.copyOf(byAction.values());

    header = new Line(skin).fill(Role.HEADER);
    tabs = new Line(skin);
    footer = new Line(skin);
    tooSmall = new TooSmallPage(skin);
    root = new Panel(new ShellLayout());
    noFill(root);
    root.addComponent(header).addComponent(tabs).addComponent(footer).addComponent(tooSmall);
    for (ConsoleScreen s : screens) root.addComponent(s.component());

    window = new BasicWindow();
    window.setHints(List.of(Window.Hint.FULL_SCREEN, Window.Hint.NO_DECORATIONS, Window.Hint.NO_POST_RENDERING));
    window.setComponent(root);
    window.addWindowListener(new WindowListenerAdapter() {
      @Override
      public void onInput(Window w, KeyStroke key, AtomicBoolean deliver) {
        deliver.set(false);                      // nothing below takes keys: the keymap decides
        dispatch(key);
      }
    });
    gui.addWindow(window);

    globalHandlers();
    paletteCommands();
    current = screenFor(b.start != null ? b.start : Action.SCREEN_MONITOR);
    current.shown();
    if (!themes.problems().isEmpty()) flash(themes.problems().get(0), Role.WARN);
    refreshData();
    chrome();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets up a console; {@link #build()} takes the terminal over (private mode, hidden cursor). */
  public static final class Builder {
    private Terminal terminal;
    private TermProfile profile;
    private Themes themes;
    private String theme;
    private ConsoleSettings settings;
    private Keymap keymap;
    private MonitorSource source;
    private JobControls controls;
    private Workspace workspace;
    private Executor workers;
    private Supplier<List<Gpus.GpuStatus>> gpus = List::of;
    private double refreshHz = 4;
    private Executor imageExecutor;
    private Action start;
    private final List<java.util.function.Function<Shell, ConsoleScreen>> screens = new ArrayList<>();

    /** The terminal to draw on. A {@link RawOutput} terminal (RawUnixTerminal) can also show sixel/kitty/iTerm2. */
    public Builder terminal(Terminal t) {
      terminal = t;
      return this;
    }

    /** What the terminal can do ({@link dev.lathe.term.TermProbe#probe}); default: {@link TermProfile#virtual}. */
    public Builder profile(TermProfile p) {
      profile = p;
      return this;
    }

    public Builder themes(Themes t) {
      themes = t;
      return this;
    }

    /** Theme name; default {@code default}, or {@code mono} on a mono terminal. */
    public Builder theme(String name) {
      theme = name;
      return this;
    }

    /**
     * Where a theme switched live ({@code t}, {@code :theme}) is remembered for the next start; default: nowhere.
     * The starting theme is still {@link #theme}'s: the caller decides what wins (the command line over the file).
     */
    public Builder settings(ConsoleSettings s) {
      settings = s;
      return this;
    }

    public Builder keymap(Keymap k) {
      keymap = k;
      return this;
    }

    /** The job to show and what may be asked of it. */
    public Builder monitor(MonitorSource s, JobControls c) {
      source = s;
      controls = c;
      return this;
    }

    /**
     * The output folder to work on: its jobs fill the Queue, Dashboard and Datasets screens, New job launches into it,
     * and the Monitor follows its running job (unless {@link #monitor} names another source).
     */
    public Builder workspace(Workspace w) {
      workspace = w;
      return this;
    }

    /** Where slow work (scans, job changes, the demo) runs; default a pool of daemon threads. Tests: {@code Runnable::run}. */
    public Builder workers(Executor e) {
      workers = e;
      return this;
    }

    /** GPU status when the snapshot has none (a {@link GpuWatcher}); must return at once. */
    public Builder gpus(Supplier<List<Gpus.GpuStatus>> g) {
      gpus = g;
      return this;
    }

    /** Data refreshes per second (default 4). */
    public Builder refreshHz(double hz) {
      if (!(hz > 0 && hz <= 60)) throw new IllegalArgumentException("refresh rate must be in (0, 60] Hz, was " + hz);
      refreshHz = hz;
      return this;
    }

    /** Where images decode (tests: {@code Runnable::run}); default one daemon thread. */
    public Builder imageExecutor(Executor e) {
      imageExecutor = e;
      return this;
    }

    /** The screen shown first (default Monitor). */
    public Builder start(Action screenAction) {
      start = screenAction;
      return this;
    }

    /** Adds a screen, or replaces the one with the same {@link ConsoleScreen#showAction()}. */
    public Builder screen(java.util.function.Function<Shell, ConsoleScreen> factory) {
      screens.add(factory);
      return this;
    }

    public Console build() throws IOException {
      if (terminal == null) throw new IllegalStateException("no terminal: call terminal(...)");
      if (profile == null) {
        TerminalSize s = terminal.getTerminalSize();
        profile = TermProfile.virtual(s.getColumns(), s.getRows());
      }
      return new Console(this);
    }
  }

  /** The five screens, in tab order. */
  private List<ConsoleScreen> defaultScreens(Shell shell) {
    return List.of(new DashboardScreen(shell), new QueueScreen(shell), new DatasetsScreen(shell), new NewJobScreen(shell),
        new MonitorScreen(shell, controls));
  }

  // ---- the loop -------------------------------------------------------------------------------------------------

  /**
   * Runs until the user quits, then gives the terminal back. Sleeps when idle (about 100 wake-ups a second to read
   * keys), refreshes data at the configured rate.
   */
  public Exit run() {
    try {
      while (exit == null) {
        boolean busy = pump(System.nanoTime());
        if (!busy && exit == null) Thread.sleep(10);
      }
      return exit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Exit.LEAVE_RUNNING;
    } catch (java.io.EOFException e) {
      return Exit.LEAVE_RUNNING;                 // the terminal went away (SSH dropped): training goes on
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      close();
    }
  }

  /** One turn of the loop: data if due, keys, redraw if anything changed. Returns true when it drew. */
  public boolean pump(long nowNanos) throws IOException {
    if (nowNanos - nextRefresh >= 0) {
      nextRefresh = nowNanos + periodNanos;
      refreshData();
    }
    if (flash != null && nowNanos - flashUntil > 0) {
      flash = null;
      chrome();
    }
    return gui.getGUIThread().processEventsAndUpdate();
  }

  /** For tests: reads keys, refreshes data now and redraws. */
  public boolean tick() throws IOException {
    nextRefresh = System.nanoTime();
    return pump(nextRefresh);
  }

  /** Ends {@link #run()} at its next turn (within about 10 ms), from any thread: a signal handler, a test. */
  public void exitWith(Exit e) {
    exit = e;
  }

  /** Set once the user chose to quit; {@link #run()} returns it. */
  public Exit exit() {
    return exit;
  }

  private void refreshData() {
    MonitorSnapshot job;
    List<Gpus.GpuStatus> g;
    Workspace.Snapshot space;
    try {
      job = source.snapshot();
      g = job.gpus().isEmpty() ? gpus.get() : job.gpus();
      space = workspace == null ? Workspace.Snapshot.EMPTY : workspace.snapshot();
    } catch (RuntimeException e) {                 // a broken source must not take the console down with it
      if (flash == null) flash("job data unavailable: " + (e.getMessage() == null ? e : e.getMessage().split("\n")[0]), Role.ERROR);
      return;
    }
    if (job == lastJob && g == lastGpus && space == lastSpace) return;
    lastJob = job;
    lastGpus = g;
    lastSpace = space;
    ConsoleScreen.Frame f = new ConsoleScreen.Frame(job, g, space);
    for (ConsoleScreen s : screens) s.show(f);
    chrome();
  }

  // ---- shell chrome ---------------------------------------------------------------------------------------------

  private void chrome() {
    MonitorSnapshot j = lastJob == null ? MonitorSnapshot.EMPTY : lastJob;
    boolean u = skin.unicode();
    List<Line.Span> h = new ArrayList<>(Line.spans(" lathe", Role.HEADER));
    if (j.state() == JobState.NONE) {
      h.addAll(Line.spans(" · no job attached", Role.HEADER));
    } else {
      h.addAll(Line.spans(" · " + j.jobName() + " · ", Role.HEADER, (u ? "● " : "* ") + j.state().label().toUpperCase(Locale.ROOT), j.state().role()));
      String step = " step " + j.step() + (j.totalSteps() > 0 ? "/" + j.totalSteps() : "");
      if (j.state().active()) step += " · " + Fmt.rate(j.itPerSec()) + " · ETA " + Fmt.duration(j.etaSeconds());
      h.addAll(Line.spans(step, Role.HEADER));
    }
    String gpu = gpuLabel(lastGpus == null ? List.of() : lastGpus);
    int used = 0;
    for (Line.Span s : h) used += s.text().length();
    int w = screen.getTerminalSize().getColumns();
    if (!gpu.isEmpty() && used + gpu.length() + 2 < w) h.add(new Line.Span(" ".repeat(w - used - gpu.length() - 1) + gpu, Role.HEADER));
    header.show(h);

    List<Line.Span> t = new ArrayList<>();
    for (ConsoleScreen s : screens) {
      String key = keymap.keysOf(s.showAction()).stream().findFirst().orElse("");
      boolean on = s == current;
      t.add(new Line.Span(" " + key, on ? Role.SELECTED : Role.KEY));
      t.add(new Line.Span(" " + s.title() + " ", on ? Role.SELECTED : Role.MUTED));
      t.add(new Line.Span(" ", Role.TEXT));
    }
    t.add(new Line.Span("  theme " + themeName, Role.MUTED));
    tabs.show(t);

    List<Line.Span> f = new ArrayList<>();
    if (flash != null) {
      f.add(new Line.Span(" " + flash, flashRole));
    } else {
      int room = w;                                // whole hints only: global ones first, then the screen's
      List<Binding> hints = new ArrayList<>(keymap.footer(Scope.GLOBAL));
      for (Binding b : keymap.footer(current.scope())) if (!hints.contains(b)) hints.add(b);
      for (Binding b : hints) {
        String key = " " + Keys.display(b.key(), u), label = " " + b.action().label() + " ";
        if (key.length() + label.length() > room) break;
        room -= key.length() + label.length();
        f.add(new Line.Span(key, Role.KEY));
        f.add(new Line.Span(label, Role.MUTED));
      }
    }
    footer.show(f);
  }

  private static String gpuLabel(List<Gpus.GpuStatus> g) {
    if (g.isEmpty()) return "CPU";
    Gpus.GpuStatus s = g.get(0);
    String name = s.name().replace("NVIDIA ", "").replace("GeForce ", "");
    return "GPU" + s.index() + " " + name + (s.utilPercent() >= 0 ? " " + s.utilPercent() + "%" : "")
        + (s.temperatureC() >= 0 ? " " + s.temperatureC() + "°C" : "") + (g.size() > 1 ? " +" + (g.size() - 1) : "");
  }

  /** Header, tabs, body, footer; or the too-small page alone. */
  private final class ShellLayout extends PanesLayout {
    ShellLayout() {
      super(new TerminalSize(TooSmallPage.MIN_COLUMNS, TooSmallPage.MIN_ROWS));
    }

    @Override
    public void doLayout(TerminalSize area, List<Component> components) {
      boolean small = TooSmallPage.tooSmall(area);
      int w = area.getColumns(), h = area.getRows();
      place(tooSmall, small, 0, 0, w, h);
      place(header, !small, 0, 0, w, 1);
      place(tabs, !small, 0, 1, w, 1);
      place(footer, !small, 0, h - 1, w, 1);
      for (ConsoleScreen s : screens) place(s.component(), !small && s == current, 0, 2, w, h - SHELL_ROWS);
    }
  }

  // ---- keys -----------------------------------------------------------------------------------------------------

  private void dispatch(KeyStroke key) {
    String k = Keys.of(key);
    if ("ctrl-c".equals(k)) {
      long now = System.nanoTime();
      if (ctrlCAt != 0 && now - ctrlCAt < 2_000_000_000L) {
        exit = activeJob() ? Exit.LEAVE_RUNNING : Exit.QUIT;
      } else {
        ctrlCAt = now;
        flash("Ctrl-C again quits at once, leaving the job as it is; q asks first", Role.WARN);
      }
      return;
    }
    if (current.keyTyped(key)) {                  // a focused text field takes letters and digits first
      root.invalidate();
      chrome();
      return;
    }
    keymap.lookup(current.scope(), k).ifPresent(b -> perform(b.action()));
    chrome();                                     // a key may have changed the screen's scope (the wizard's steps)
  }

  /** Runs {@code action} as if its key was pressed (the palette uses this too). */
  void perform(Action a) {
    String why = current.disabledReason(a);
    if (why != null) {
      flash(why, Role.WARN);
      return;
    }
    Runnable r = global.get(a);
    if (r == null) r = current.handlers().get(a);
    if (r == null) {
      flash(a.label() + ": not available on the " + current.title() + " screen", Role.MUTED);
      return;
    }
    r.run();
    root.invalidate();
  }

  /** Every action some handler answers, for the keymap test. */
  public Set<Action> handledActions() {
    Set<Action> out = EnumSet.noneOf(Action.class);
    out.addAll(global.keySet());
    for (ConsoleScreen s : screens) out.addAll(s.handlers().keySet());
    return out;
  }

  private void globalHandlers() {
    for (ConsoleScreen s : screens) global.put(s.showAction(), () -> switchTo(s, true));
    global.put(Action.HELP, () -> open(new HelpOverlay(skin, keymap, current.scope(), current.title(), screen.getTerminalSize())));
    global.put(Action.PALETTE, () -> open(new CommandPalette(skin, commands, m -> flash(m, Role.WARN))));
    global.put(Action.QUIT, this::askQuit);
    global.put(Action.FORCE_QUIT, () -> exit = activeJob() ? Exit.LEAVE_RUNNING : Exit.QUIT);
    global.put(Action.BACK, () -> {
      if (!history.isEmpty()) switchTo(history.pop(), false);
    });
    global.put(Action.REDRAW, gui::completeRedraw);
    global.put(Action.CYCLE_THEME, () -> theme(themes.next(themeName)));
    global.put(Action.FOCUS_NEXT, () -> current.focusNext(true));
    global.put(Action.FOCUS_PREV, () -> current.focusNext(false));
  }

  private void paletteCommands() {
    List<String> screenNames = new ArrayList<>();
    for (ConsoleScreen s : screens) screenNames.add(s.title().toLowerCase(Locale.ROOT).replace(' ', '-'));
    commands.add(new CommandPalette.Command("theme", "<name>", "switch the colour theme", themes::names, this::theme));
    commands.add(new CommandPalette.Command("screen", "<name>", "show a screen", () -> screenNames, n -> {
      for (ConsoleScreen s : screens) if (s.title().toLowerCase(Locale.ROOT).replace(' ', '-').equals(n)) switchTo(s, true);
    }));
    commands.add(new CommandPalette.Command("graphics", "<mode>", "how pictures are drawn",
        () -> List.of("sixel", "kitty", "iterm2", "blocks", "ascii", "none"), this::graphics));
    commands.add(new CommandPalette.Command("colors", "<depth>", "colour depth", () -> List.of("truecolor", "256", "16", "none"),
        this::colors));
    commands.add(new CommandPalette.Command("smooth", "<0..0.999>", "EMA factor of the loss curve", () -> List.of("0", "0.9", "0.95", "0.99"),
        this::smooth));
    commands.add(new CommandPalette.Command("new", "", "New job: pick a preset (or the demo)", List::of, a -> perform(Action.SCREEN_NEW_JOB)));
    commands.add(new CommandPalette.Command("queue", "", "every job of the output folder", List::of, a -> perform(Action.SCREEN_QUEUE)));
    commands.add(new CommandPalette.Command("datasets", "", "dataset folders and their scans", List::of, a -> perform(Action.SCREEN_DATASETS)));
    commands.add(new CommandPalette.Command("job", "<name>", "show a job in the Monitor", this::jobNames, this::job));
    commands.add(new CommandPalette.Command("demo", "", "prepare and launch the demo (a tiny model, CPU)", List::of, a -> demo()));
    commands.add(new CommandPalette.Command("dataset", "<path>", "list a dataset folder on the Datasets screen", List::of, this::dataset));
    commands.add(new CommandPalette.Command("output", "<dir>", "work on another output folder", List::of, this::output));
    commands.add(new CommandPalette.Command("pause", "", "pause or resume training", List::of, a -> perform(Action.PAUSE)));
    commands.add(new CommandPalette.Command("sample", "", "render samples at the next step", List::of, a -> perform(Action.SAMPLE_NOW)));
    commands.add(new CommandPalette.Command("save", "", "save a checkpoint at the next step", List::of, a -> perform(Action.SAVE_NOW)));
    commands.add(new CommandPalette.Command("stop", "", "stop the job (asks)", List::of, a -> perform(Action.STOP)));
    commands.add(new CommandPalette.Command("help", "", "every key", List::of, a -> perform(Action.HELP)));
    commands.add(new CommandPalette.Command("redraw", "", "repaint everything", List::of, a -> perform(Action.REDRAW)));
    commands.add(new CommandPalette.Command("quit", "", "quit (asks about a running job)", List::of, a -> perform(Action.QUIT)));
  }

  private List<String> jobNames() {
    if (workspace == null) return List.of();
    return workspace.snapshot().jobs().stream().map(Workspace.JobRow::name).toList();
  }

  private void job(String name) {
    if (workspace == null) {
      flash("no output folder: start the console with --output DIR", Role.WARN);
      return;
    }
    var row = workspace.snapshot().job(name.strip());
    if (row.isEmpty()) {
      flash("no job '" + name + "' in " + workspace.output() + " (Tab lists them)", Role.WARN);
      return;
    }
    workspace.attach(row.get().dir(), true);
    lastJob = null;
    switchTo(screenFor(Action.SCREEN_MONITOR), true);
  }

  private void demo() {
    switchTo(screenFor(Action.SCREEN_NEW_JOB), true);
    if (current instanceof NewJobScreen n) n.launchDemo();
  }

  private void dataset(String path) {
    if (workspace == null || path.isBlank()) {
      flash(workspace == null ? "no output folder" : "dataset: give a folder, e.g. :dataset ~/pictures/cat", Role.WARN);
      return;
    }
    switchTo(screenFor(Action.SCREEN_DATASETS), true);
    if (current instanceof DatasetsScreen d) d.add(path);
  }

  private void output(String dir) {
    if (workspace == null || dir.isBlank()) {
      flash(workspace == null ? "no output folder" : "output: give a folder, e.g. :output runs", Role.WARN);
      return;
    }
    Path p = expand(dir);
    workers.execute(() -> {
      try {
        workspace.output(p);
        gui.getGUIThread().invokeLater(() -> flash("output folder " + workspace.output(), Role.OK));
      } catch (RuntimeException e) {
        gui.getGUIThread().invokeLater(() -> flash(Workspace.oneLine(e), Role.ERROR));
      }
    });
  }

  /** A path as typed: ~ is the home folder, relative paths start at the working directory. */
  static Path expand(String typed) {
    String t = typed.strip();
    if (t.equals("~")) t = System.getProperty("user.home");
    else if (t.startsWith("~/")) t = System.getProperty("user.home") + t.substring(1);
    return Path.of(t).toAbsolutePath().normalize();
  }

  private void theme(String name) {
    try {
      Theme t = themes.get(name, skin.profile().colors());
      themeName = name;
      skin.theme(t);
      repaintAll();
      flash("theme " + name, Role.MUTED);
      if (settings != null && !name.equals(settings.theme().orElse(null))) {
        themeToSave = name;
        new ShellImpl().background(() -> {                 // a small atomic write, off the GUI thread all the same
          synchronized (settings) {                        // t pressed quickly: the last theme picked is the one kept
            settings.saveTheme(themeToSave);
          }
          return settings.file();
        }, f -> flash("theme " + name + " (saved in " + f + ")", Role.MUTED), null);
      }
    } catch (IllegalArgumentException e) {
      flash(e.getMessage(), Role.WARN);
    }
  }

  private void graphics(String mode) {
    try {
      skin.profile(skin.profile().withGraphics(GraphicsProtocol.parse(mode)));
      repaintAll();
      flash("graphics " + mode, Role.MUTED);
    } catch (IllegalArgumentException e) {
      flash(e.getMessage(), Role.WARN);
    }
  }

  private void colors(String depth) {
    try {
      skin.profile(skin.profile().withColors(ColorDepth.parse(depth)));
      repaintAll();
      flash("colours " + depth, Role.MUTED);
    } catch (IllegalArgumentException e) {
      flash(e.getMessage(), Role.WARN);
    }
  }

  private void smooth(String beta) {
    for (ConsoleScreen s : screens) {
      if (s instanceof MonitorScreen m) {
        try {
          m.loss.smoothing(Double.parseDouble(beta));
          lastJob = null;                       // re-show so titles carry the new EMA
          refreshData();
        } catch (IllegalArgumentException e) {
          flash("smooth: " + (e instanceof NumberFormatException ? "'" + beta + "' is not a number" : e.getMessage()), Role.WARN);
        }
      }
    }
  }

  private void repaintAll() {
    gui.setTheme(skin.theme().lanterna());
    lastJob = null;
    refreshData();
    chrome();
    invalidateTree(root);
    gui.completeRedraw();
  }

  /** The panel's children cover it entirely: skip Lanterna's clearing pass (each cell costs a Unicode-block lookup). */
  static void noFill(Panel p) {
    if (p.getRenderer() instanceof Panel.DefaultPanelRenderer r) r.setFillAreaBeforeDrawingComponents(false);
  }

  private static void invalidateTree(Component c) {
    c.invalidate();
    if (c instanceof Panel p) for (Component k : p.getChildren()) invalidateTree(k);
  }

  private void switchTo(ConsoleScreen s, boolean remember) {
    if (s == current) return;
    if (remember) history.push(current);
    while (history.size() > 20) history.removeLast();
    current = s;
    s.shown();
    chrome();
    root.invalidate();
  }

  private ConsoleScreen screenFor(Action a) {
    for (ConsoleScreen s : screens) if (s.showAction() == a) return s;
    throw new IllegalArgumentException("no screen for " + a);
  }

  private boolean activeJob() {
    return lastJob != null && lastJob.state().active() || workspace != null && !workspace.snapshot().active().isEmpty();
  }

  private void askQuit() {
    MonitorSnapshot j = lastJob == null ? MonitorSnapshot.EMPTY : lastJob;
    Shell shell = new ShellImpl();
    if (!j.state().active()) {
      List<Workspace.JobRow> others = workspace == null ? List.of() : workspace.snapshot().active();
      if (others.isEmpty()) {
        exit = Exit.QUIT;
        return;
      }
      String names = String.join(", ", others.stream().map(Workspace.JobRow::name).toList());
      shell.ask("Quit the console?", names + (others.size() == 1 ? " keeps" : " keep") + " training in " + (others.size() == 1 ? "its runner" : "their runners")
          + "; start lathe again to watch. Or stop " + (others.size() == 1 ? "it" : "them") + " now (each saves first)?",
          List.of(new Shell.Choice("q", "quit, leave it running"), new Shell.Choice("s", "stop and quit")), k -> {
            if (k.equals("s")) {
              workspace.stopAll();
              exit = Exit.STOP_JOB;
            } else {
              exit = Exit.LEAVE_RUNNING;
            }
          });
      return;
    }
    if (controls.inProcess()) {
      shell.ask("Quit Lathe?", j.jobName() + " is training in this process. Keep it training without the console "
          + "(reattach with scripts/lathe-tmux), or stop it (it saves first)?",
          List.of(new Shell.Choice("k", "keep training"), new Shell.Choice("s", "stop it and quit")), this::quitAnswer);
    } else {
      shell.ask("Quit the console?", j.jobName() + " keeps training in its own process; start lathe again to attach. "
          + "Or stop it now (it saves first)?",
          List.of(new Shell.Choice("q", "quit, leave it running"), new Shell.Choice("s", "stop it and quit")), this::quitAnswer);
    }
  }

  private void quitAnswer(String k) {
    if (k.equals("s")) {
      try {
        controls.stop();
        exit = Exit.STOP_JOB;
      } catch (RuntimeException e) {
        flash(e.getMessage(), Role.ERROR);
      }
    } else {
      exit = Exit.LEAVE_RUNNING;
    }
  }

  // ---- overlays and messages ------------------------------------------------------------------------------------

  private void open(Overlay o) {
    closeOverlay();
    overlay = o;
    BasicWindow w = new BasicWindow();
    w.setHints(List.of(Window.Hint.MODAL, Window.Hint.CENTERED, Window.Hint.NO_DECORATIONS, Window.Hint.NO_POST_RENDERING));
    w.setComponent(o.component());
    w.addWindowListener(new WindowListenerAdapter() {
      @Override
      public void onInput(Window win, KeyStroke key, AtomicBoolean deliver) {
        deliver.set(false);
        if (overlay != o) return;
        if (!o.onKey(key)) closeOverlay();
        root.invalidate();
      }
    });
    overlayWindow = w;
    gui.addWindow(w);
    gui.setActiveWindow(w);
  }

  void closeOverlay() {
    if (overlayWindow != null) {
      Window w = overlayWindow;
      overlayWindow = null;
      overlay = null;
      gui.removeWindow(w);
      root.invalidate();
    }
  }

  /** The open overlay's component, or null (tests). */
  Component overlay() {
    return overlay == null ? null : overlay.component();
  }

  void flash(String message, Role role) {
    flash = message;
    flashRole = role;
    flashUntil = System.nanoTime() + 4_000_000_000L;
    chrome();
  }

  private final class ShellImpl implements Shell {
    @Override
    public void ask(String title, String question, List<Choice> choices, java.util.function.Consumer<String> answer) {
      open(new ConfirmDialog(skin, title, question, choices, answer));
    }

    @Override
    public void flash(String message, Role role) {
      Console.this.flash(message, role);
    }

    @Override
    public Skin skin() {
      return skin;
    }

    @Override
    public <T> void background(java.util.concurrent.Callable<T> work, java.util.function.Consumer<T> done,
        java.util.function.Consumer<String> failed) {
      workers.execute(() -> {
        T result;
        try {
          result = work.call();
        } catch (Exception | Error e) {
          String m = Workspace.oneLine(e);
          later(() -> {
            Console.this.flash(m, Role.ERROR);
            if (failed != null) failed.accept(m);
          });
          return;
        }
        later(() -> done.accept(result));
      });
    }

    @Override
    public void later(Runnable r) {
      gui.getGUIThread().invokeLater(() -> {
        r.run();
        root.invalidate();
        Console.this.chrome();
      });
    }

    @Override
    public void show(Action a) {
      switchTo(screenFor(a), true);
    }

    @Override
    public void text(String title, List<String> lines, boolean atEnd) {
      open(new TextOverlay(skin, title, lines, screen.getTerminalSize(), atEnd));
    }

    @Override
    public void prompt(String title, String hint, String initial, java.util.function.Consumer<String> answer) {
      open(new InputDialog(skin, title, hint, initial, answer));
    }

    @Override
    public Workspace workspace() {
      return workspace;
    }

    @Override
    public void chrome() {
      Console.this.chrome();
    }

    @Override
    public ImageLoader images() {
      return images;
    }

    @Override
    public ImageSlot.Host imageHost() {
      return gui;
    }
  }

  // ---- for tests and the CLI ------------------------------------------------------------------------------------

  public ConsoleScreen currentScreen() {
    return current;
  }

  public Skin skin() {
    return skin;
  }

  public String themeName() {
    return themeName;
  }

  ConsoleGUI gui() {
    return gui;
  }

  List<ConsoleScreen> screens() {
    return screens;
  }

  /** Leaves private mode and restores the terminal. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (imageThread != null) imageThread.shutdownNow();
    if (ownWorkers != null) ownWorkers.shutdownNow();
    try {
      screen.stopScreen();
    } catch (IOException ignored) {
      // the terminal is gone; nothing left to restore
    }
  }
}
