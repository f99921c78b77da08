package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A form as the New job wizard will use it: validation beside the field as you type, inside the console. */
class FormTest {
  static List<Form.Problem> validateSave(Map<String, String> v) {
    List<Form.Problem> out = new ArrayList<>();
    String every = v.get("save.every_steps");
    if (!every.matches("[0-9]+")) out.add(new Form.Problem("save.every_steps", "must be a whole number of steps", true));
    if (v.get("save.keep_last").equals("0")) {
      out.add(new Form.Problem("save.keep_last", "0 keeps no step checkpoints, so resume starts over", false));
    }
    return out;
  }

  static Form saveForm(Skin skin) {
    return new Form(skin, "SAVE", List.of(
        Form.Field.text("save.every_steps", "every steps", "Write a checkpoint every N steps; 0 saves only at the end."),
        Form.Field.text("save.keep_last", "keep last", "How many step checkpoints to keep on disk."),
        Form.Field.choice("save.dtype", "dtype", List.of("bf16", "fp16", "fp32"), "Precision of the saved adapter."),
        Form.Field.toggle("save.push", "also final", "Write the final adapter next to the job folder.")),
        Map.of("save.every_steps", "250", "save.keep_last", "4"), FormTest::validateSave);
  }

  static void type(Form f, String s) {
    for (char c : s.toCharArray()) f.onKey(new KeyStroke(c, false, false));
  }

  @Test
  void typing_showsAWarningBesideTheField_andClearsIt() {
    Form f = saveForm(Headless.mono());
    assertThat(f.problems()).isEmpty();
    f.onKey(new KeyStroke(KeyType.ArrowDown));
    f.onKey(new KeyStroke(KeyType.Backspace));
    type(f, "0");
    List<String> lines = Headless.render(110, 10, f).lines();
    String row = lines.stream().filter(l -> l.contains("keep last")).findFirst().orElseThrow();
    assertThat(row).contains("0").contains("! 0 keeps no step checkpoints, so resume starts over");
    assertThat(f.valid()).isTrue();                                   // a warning does not block
    assertThat(String.join("\n", lines)).contains("How many step checkpoints to keep on disk.");
    f.onKey(new KeyStroke(KeyType.Backspace));
    type(f, "3");
    assertThat(f.problems()).isEmpty();
  }

  @Test
  void anError_blocks_andShowsOnItsRow() {
    Form f = saveForm(Headless.mono());
    type(f, "x");
    assertThat(f.valid()).isFalse();
    String row = Headless.render(90, 10, f).lines().stream().filter(l -> l.contains("every steps")).findFirst().orElseThrow();
    assertThat(row).contains("250x").contains("✗ must be a whole number of steps");
  }

  @Test
  void choicesAndToggles_cycleWithSpaceAndArrows() {
    Form f = saveForm(Headless.mono());
    f.onKey(new KeyStroke(KeyType.ArrowDown));
    f.onKey(new KeyStroke(KeyType.ArrowDown));
    f.onKey(new KeyStroke(' ', false, false));
    assertThat(f.values()).containsEntry("save.dtype", "fp16");
    f.onKey(new KeyStroke(KeyType.ArrowLeft));
    f.onKey(new KeyStroke(KeyType.ArrowLeft));
    assertThat(f.values()).containsEntry("save.dtype", "fp32");
    f.onKey(new KeyStroke(KeyType.Tab));
    f.onKey(new KeyStroke(' ', false, false));
    assertThat(f.values()).containsEntry("save.push", "true");
    assertThat(Headless.render(90, 10, f).text()).contains("[x]").contains("‹ fp32 ›");
  }

  /** The screen the lead's wizard will look like: a form that takes typed keys before the keymap. */
  static final class FormScreen implements ConsoleScreen {
    final Form form;

    FormScreen(Shell shell) {
      form = saveForm(shell.skin());
    }

    @Override public String title() { return "New job"; }
    @Override public Action showAction() { return Action.SCREEN_NEW_JOB; }
    @Override public Scope scope() { return Scope.GLOBAL; }
    @Override public Component component() { return form; }
    @Override public void show(Frame frame) {}
    @Override public Map<Action, Runnable> handlers() { return Map.of(); }
    @Override public boolean keyTyped(KeyStroke key) { return form.onKey(key); }
  }

  @Test
  void inTheConsole_lettersGoToTheField_notTheKeymap_andEscLeaves() throws IOException {
    DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    Console c = Console.builder().terminal(vt).themes(Themes.load(null)).imageExecutor(Runnable::run)
        .screen(FormScreen::new).build();
    c.tick();
    vt.addInput(new KeyStroke('4', false, false));
    c.tick();
    assertThat(c.currentScreen()).isInstanceOf(FormScreen.class);
    for (KeyStroke k : List.of(new KeyStroke(KeyType.ArrowDown), new KeyStroke(KeyType.Backspace),
        new KeyStroke('0', false, false), new KeyStroke('q', false, false))) {
      vt.addInput(k);
    }
    c.tick();
    c.tick();
    assertThat(c.exit()).isNull();                                     // 'q' was typed into the field
    String row = Headless.of(vt).lines().stream().filter(l -> l.contains("keep last")).findFirst().orElseThrow();
    assertThat(row).contains("0q");
    vt.addInput(new KeyStroke(KeyType.Backspace));
    c.tick();
    c.tick();
    row = Headless.of(vt).lines().stream().filter(l -> l.contains("keep last")).findFirst().orElseThrow();
    assertThat(row).contains("! 0 keeps no step checkpoints");
    vt.addInput(new KeyStroke(KeyType.Escape));
    c.tick();
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");
  }
}
