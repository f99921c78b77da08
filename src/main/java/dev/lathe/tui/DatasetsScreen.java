package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import dev.lathe.data.Bucket;
import dev.lathe.data.Captions;
import dev.lathe.data.DataOptions;
import dev.lathe.data.DatasetScanner;
import dev.lathe.data.DatasetSpec;
import dev.lathe.data.ScanReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Dataset folders (those the jobs train on, the demo's, and any added with {@code a} or {@code :dataset}), the selected
 * folder's scan (counts, caption sources, trigger coverage, sizes, buckets per resolution, problems), its images, and
 * a preview of the selected image with its caption. Scans run off the GUI thread and are kept until {@code r}.
 */
public final class DatasetsScreen implements ConsoleScreen {
  private enum Focus { FOLDERS, IMAGES }

  private final Shell shell;
  private final Skin skin;
  private final ListPane folders;
  private final SummaryPane summary;
  private final ListPane images;
  private final Box previewBox;
  private final ImageSlot slot;
  private final CaptionPane caption;
  private final Panel body;
  private final Map<Action, Runnable> handlers = new EnumMap<>(Action.class);
  private final Map<Workspace.DatasetRef, Object> scans = new HashMap<>();     // ScanReport, or an error line
  private final Set<Workspace.DatasetRef> scanning = new HashSet<>();
  private List<Workspace.DatasetRef> refs = List.of();
  private Focus focus = Focus.FOLDERS;
  private int folder;
  private int image;
  private boolean visible;
  private boolean wide;

  public DatasetsScreen(Shell shell) {
    this.shell = shell;
    this.skin = shell.skin();
    folders = new ListPane("Dataset folders");
    summary = new SummaryPane();
    images = new ListPane("Images");
    previewBox = new Box(skin).title("Preview");
    slot = new ImageSlot(skin, shell.images(), shell.imageHost());
    caption = new CaptionPane();
    body = new Panel(new Layout());
    Console.noFill(body);
    for (Component c : List.of(folders, summary, images, previewBox, slot, caption)) body.addComponent(c);
    handlers.put(Action.SELECT_UP, () -> move(-1));
    handlers.put(Action.SELECT_DOWN, () -> move(+1));
    handlers.put(Action.OPEN, () -> focus(Focus.IMAGES));
    handlers.put(Action.ADD_DATASET, this::askAdd);
    handlers.put(Action.RESCAN, this::rescan);
    focus(Focus.FOLDERS);
  }

  @Override
  public String title() {
    return "Datasets";
  }

  @Override
  public Action showAction() {
    return Action.SCREEN_DATASETS;
  }

  @Override
  public Scope scope() {
    return Scope.DATASETS;
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
  public String disabledReason(Action a) {
    if (a == Action.ADD_DATASET && shell.workspace() == null) return "no output folder (start the console with --output DIR)";
    return null;
  }

  @Override
  public void show(Frame frame) {
    List<Workspace.DatasetRef> next = frame.workspace().datasets();
    if (next.equals(refs)) return;
    Workspace.DatasetRef was = selectedRef();
    refs = next;
    int at = was == null ? -1 : refs.indexOf(was);
    folder = at >= 0 ? at : Math.min(folder, Math.max(0, refs.size() - 1));
    update();
  }

  @Override
  public void shown() {
    visible = true;
    update();
  }

  @Override
  public void focusNext(boolean forward) {
    focus(focus == Focus.FOLDERS ? Focus.IMAGES : Focus.FOLDERS);
  }

  private void focus(Focus f) {
    focus = f;
    folders.focused(f == Focus.FOLDERS);
    images.focused(f == Focus.IMAGES);
  }

  Workspace.DatasetRef selectedRef() {
    return folder >= 0 && folder < refs.size() ? refs.get(folder) : null;
  }

  /** The selected folder's scan, or null while there is none. */
  ScanReport report() {
    Object o = scans.get(selectedRef());
    return o instanceof ScanReport r ? r : null;
  }

  private void move(int d) {
    if (focus == Focus.FOLDERS) {
      if (refs.isEmpty()) return;
      folder = Math.max(0, Math.min(refs.size() - 1, folder + d));
      image = 0;
    } else {
      ScanReport r = report();
      if (r == null || r.images().isEmpty()) return;
      image = Math.max(0, Math.min(r.images().size() - 1, image + d));
    }
    update();
  }

  private void askAdd() {
    shell.prompt("Add a dataset folder", "A folder of images (png, jpg, webp, bmp, gif; sub-folders too) with same-named "
        + ".txt captions. ~ and paths relative to " + Path.of("").toAbsolutePath() + " work.", "", this::add);
  }

  /** Lists {@code typed} (a folder path) and selects it. */
  void add(String typed) {
    if (typed.isBlank()) return;
    Path p = Console.expand(typed);
    shell.background(() -> {
      if (!Files.isDirectory(p)) throw new IllegalArgumentException(p + ": no such folder");
      shell.workspace().addDataset(p);
      return shell.workspace().refresh();
    }, snap -> {
      refs = snap.datasets();
      for (int i = 0; i < refs.size(); i++) if (refs.get(i).folder().equals(p)) folder = i;
      image = 0;
      focus(Focus.FOLDERS);
      update();
      shell.flash("added " + p, Role.OK);
    });
  }

  private void rescan() {
    Workspace.DatasetRef r = selectedRef();
    if (r == null) return;
    scans.remove(r);
    update();
  }

  /** Shows the selection; starts a scan of the selected folder when it has none. */
  private void update() {
    Workspace.DatasetRef r = selectedRef();
    if (r != null && visible && !scans.containsKey(r) && scanning.add(r)) {
      shell.background(() -> DatasetScanner.scan(DatasetSpec.of(r.folder()).withResolutions(r.resolutions()),
          DataOptions.DEFAULTS.withTrigger(r.trigger())), rep -> {
            scanning.remove(r);
            scans.put(r, rep);
            update();
          }, err -> {
            scanning.remove(r);
            scans.put(r, err);
            update();
          });
    }
    List<String> names = new ArrayList<>();
    for (Workspace.DatasetRef d : refs) names.add(d.folder() + "  (" + d.source() + ")");
    folders.show(names, folder, refs.isEmpty() ? List.of("No dataset folders yet.", "a adds one; the jobs' folders and the",
        "demo's appear here by themselves.") : List.of());
    ScanReport rep = report();
    List<String> imgs = new ArrayList<>();
    if (rep != null) for (ScanReport.Image i : rep.images()) imgs.add((i.usable() ? "" : "(small) ") + i.path());
    if (rep != null && !rep.images().isEmpty()) image = Math.min(image, rep.images().size() - 1);
    images.title(rep == null ? "Images" : "Images · " + rep.images().size());
    images.show(imgs, image, r == null ? List.of() : rep == null ? List.of(scans.get(r) instanceof String s ? s : "scanning…")
        : List.of("no images in this folder"));
    summary.show(r, rep, scans.get(r) instanceof String s ? s : null);
    ScanReport.Image img = rep == null || rep.images().isEmpty() ? null : rep.images().get(image);
    slot.show(img == null ? null : img.file()).badge(img == null ? "no image" : img.path());
    previewBox.title(img == null ? "Preview" : wide ? "Preview · " + img.width() + "×" + img.height() : img.width() + "×" + img.height());
    caption.show(img, r);
    body.invalidate();
  }

  /** Summary lines of a scan, as the screen shows them. */
  static List<String> summaryLines(ScanReport r) {
    List<String> out = new ArrayList<>();
    int usable = r.usable().size();
    out.add(r.images().size() + " images · " + usable + " usable" + (r.tooSmall().isEmpty() ? "" : " · " + r.tooSmall().size()
        + " too small for every resolution") + " · " + r.filesSeen() + " files seen");
    long files = r.images().stream().filter(i -> i.captionSource() == ScanReport.CaptionSource.FILE).count();
    long meta = r.images().stream().filter(i -> i.captionSource() == ScanReport.CaptionSource.METADATA).count();
    int none = r.defaultCaptionImages().size();
    String cover = r.images().isEmpty() ? "" : String.format(Locale.ROOT, " (%.0f%%)", 100.0 * r.captionsFound() / r.images().size());
    out.add("captions: " + r.captionsFound() + cover + " · " + files + " from ." + "txt, " + meta + " from metadata.jsonl, "
        + none + " without (default caption)");
    if (r.trigger() != null) out.add("trigger '" + r.trigger() + "': in " + r.triggerCaptions() + " captions, put in front of the others");
    StringBuilder sizes = new StringBuilder("sizes: ");
    int n = 0;
    for (Map.Entry<String, Integer> e : r.sizeHistogram().entrySet()) {
      if (n++ == 4) {
        sizes.append(" …");
        break;
      }
      sizes.append(n > 1 ? ", " : "").append(e.getKey()).append(" ×").append(e.getValue());
    }
    out.add(sizes.toString());
    for (Map.Entry<Integer, Map<Bucket, Integer>> e : r.bucketHistogram().entrySet()) {
      StringBuilder b = new StringBuilder("buckets @" + e.getKey() + ": ");
      if (e.getValue().isEmpty()) b.append("none (every image is smaller)");
      int k = 0;
      for (Map.Entry<Bucket, Integer> x : e.getValue().entrySet()) {
        if (k++ == 4) {
          b.append(" …");
          break;
        }
        b.append(k > 1 ? ", " : "").append(x.getKey()).append(" ×").append(x.getValue());
      }
      out.add(b.toString());
    }
    out.add("problems: " + r.errors().size() + " unusable files, " + r.warnings().size() + " warnings"
        + String.format(Locale.ROOT, " · scanned in %.2f s", r.elapsedNanos() / 1e9));
    for (ScanReport.Issue i : r.issues()) {
      if (i.severity() == ScanReport.Severity.INFO) continue;
      out.add((i.severity() == ScanReport.Severity.ERROR ? "✗ " : "! ") + (i.path().isEmpty() ? "" : i.path() + ": ") + i.message());
    }
    return out;
  }

  /** A titled list with a selection that scrolls into view. */
  private final class ListPane extends AbstractComponent<ListPane> {
    private String title;
    private List<String> items = List.of();
    private List<String> empty = List.of();
    private int sel;
    private int top;
    private boolean focused;

    ListPane(String title) {
      this.title = title;
    }

    void title(String t) {
      title = t;
      invalidate();
    }

    void show(List<String> i, int s, List<String> whenEmpty) {
      items = List.copyOf(i);
      sel = s;
      empty = whenEmpty;
      invalidate();
    }

    void focused(boolean f) {
      focused = f;
      invalidate();
    }

    @Override
    protected ComponentRenderer<ListPane> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(ListPane p) {
          return new TerminalSize(30, 6);
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, ListPane p) {
          TextGUIGraphics g = Frames.framed(g0, skin, p.title, p.focused);
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          if (p.items.isEmpty()) {
            for (int i = 0; i < Math.min(h, p.empty.size()); i++) Frames.text(g, skin, 0, i, p.empty.get(i), Role.MUTED);
            return;
          }
          if (p.sel < p.top) p.top = p.sel;
          if (p.sel >= p.top + h) p.top = p.sel - h + 1;
          for (int i = 0; i < h && p.top + i < p.items.size(); i++) {
            boolean on = p.top + i == p.sel;
            String s = p.items.get(p.top + i);
            if (s.length() > w) s = (skin.unicode() ? "…" : "~") + s.substring(s.length() - w + 1);   // keep the end
            if (on) {
              skin.theme().apply(g, p.focused ? Role.SELECTED : Role.ACCENT);
              g.putString(0, i, Fmt.pad(skin.unicode() ? s : Fmt.ascii(s), w, skin.unicode()));
              skin.theme().apply(g, Role.TEXT);
            } else {
              Frames.text(g, skin, 0, i, s, s.startsWith("(small)") ? Role.MUTED : Role.TEXT);
            }
          }
        }
      };
    }
  }

  /** The scan of the selected folder. */
  private final class SummaryPane extends AbstractComponent<SummaryPane> {
    private Workspace.DatasetRef ref;
    private ScanReport report;
    private String error;

    void show(Workspace.DatasetRef r, ScanReport rep, String err) {
      ref = r;
      report = rep;
      error = err;
      invalidate();
    }

    @Override
    protected ComponentRenderer<SummaryPane> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(SummaryPane p) {
          return new TerminalSize(40, 8);
        }

        @Override
        public void drawComponent(TextGUIGraphics g0, SummaryPane p) {
          String t = p.ref == null ? "Scan" : "Scan · resolutions " + p.ref.resolutions().toString().replaceAll("[\\[\\]]", "");
          TextGUIGraphics g = Frames.framed(g0, skin, t, false);
          int h = g.getSize().getRows();
          if (p.ref == null) return;
          if (p.error != null) {
            Frames.text(g, skin, 0, 0, p.error, Role.ERROR);
            return;
          }
          if (p.report == null) {
            Frames.text(g, skin, 0, 0, "scanning " + p.ref.folder() + " …", Role.MUTED);
            return;
          }
          List<String> lines = summaryLines(p.report);
          for (int i = 0; i < Math.min(h, lines.size()); i++) {
            String l = lines.get(i);
            Frames.text(g, skin, 0, i, l, l.startsWith("✗") ? Role.ERROR : l.startsWith("!") ? Role.WARN : Role.TEXT);
          }
        }
      };
    }
  }

  /** The selected image's caption (as written, and as training sees it) and facts. */
  private final class CaptionPane extends AbstractComponent<CaptionPane> {
    private ScanReport.Image img;
    private Workspace.DatasetRef ref;

    void show(ScanReport.Image i, Workspace.DatasetRef r) {
      img = i;
      ref = r;
      invalidate();
    }

    @Override
    protected ComponentRenderer<CaptionPane> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(CaptionPane p) {
          return new TerminalSize(30, 6);
        }

        @Override
        public void drawComponent(TextGUIGraphics g, CaptionPane p) {
          skin.theme().apply(g, Role.TEXT);
          g.fill(' ');
          int w = g.getSize().getColumns(), h = g.getSize().getRows();
          if (p.img == null) return;
          List<String> lines = new ArrayList<>();
          List<Role> roles = new ArrayList<>();
          String src = switch (p.img.captionSource()) {
            case FILE -> "caption file";
            case METADATA -> "metadata.jsonl";
            case DEFAULT -> "no caption: default caption";
          };
          Wrap.styled(lines, roles, "Caption (" + src + "):", Role.MUTED, w);
          Wrap.styled(lines, roles, p.img.caption().isEmpty() ? "(empty)" : p.img.caption(), Role.TEXT, w);
          String trigger = p.ref == null ? null : p.ref.trigger();
          if (trigger != null) {
            Wrap.styled(lines, roles, "Trained as:", Role.MUTED, w);
            Wrap.styled(lines, roles, Captions.finalCaption(p.img.caption(), false, trigger, false), Role.ACCENT, w);
          }
          StringBuilder fits = new StringBuilder();
          for (var f : p.img.fits()) fits.append(fits.length() == 0 ? "" : ", ").append(f.bucket()).append('@').append(f.resolution());
          Wrap.styled(lines, roles, p.img.format() + " " + p.img.width() + "×" + p.img.height() + " · "
              + (fits.length() == 0 ? "too small for every resolution" : "bucket " + fits), Role.MUTED, w);
          for (int i = 0; i < Math.min(h, lines.size()); i++) Frames.text(g, skin, 0, i, lines.get(i), roles.get(i));
        }
      };
    }

  }

  /** Wide: folders and images on the left, scan and preview on the right. 80×24: folders, scan, then images | preview. */
  private final class Layout extends PanesLayout {
    @Override
    public void doLayout(TerminalSize area, List<Component> components) {
      int w = area.getColumns(), h = area.getRows();
      wide = w >= 110 && h >= 30;
      if (wide) {
        int left = w * 36 / 100, right = w - left;
        int foldersH = Math.max(5, h * 35 / 100);
        place(folders, 0, 0, left, foldersH);
        place(images, 0, foldersH, left, h - foldersH);
        int sumH = Math.max(8, h * 40 / 100);
        place(summary, left, 0, right, sumH);
        int prevH = h - sumH;
        int slotW = Math.min(right / 2, (prevH - 2) * 2 + 2);
        place(previewBox, left, sumH, slotW + 2, prevH);
        place(slot, left + 1, sumH + 1, slotW, prevH - 2);
        place(caption, left + slotW + 3, sumH + 1, right - slotW - 4, prevH - 2);
      } else {
        int foldersH = 5, sumH = Math.min(8, Math.max(4, h - foldersH - 8));
        int rest = h - foldersH - sumH;
        place(folders, 0, 0, w, foldersH);
        place(summary, 0, foldersH, w, sumH);
        int listW = w * 40 / 100;
        place(images, 0, foldersH + sumH, listW, rest);
        int slotW = Math.min(24, Math.max(8, (rest - 2) * 2));
        place(previewBox, listW, foldersH + sumH, slotW + 2, rest);
        place(slot, listW + 1, foldersH + sumH + 1, slotW, Math.max(0, rest - 2));
        place(caption, listW + slotW + 3, foldersH + sumH, Math.max(0, w - listW - slotW - 3), rest);
      }
    }
  }
}
